// The child <-> daemon protocol: round trips and refusal of malformed input.
#include "core/wire.h"

#include <gtest/gtest.h>

#include <cstring>

namespace {

using namespace wsgi::wire;

std::string_view payload_of(const std::string& msg, char* type)
{
    std::uint32_t len = 0;
    EXPECT_TRUE(parse_header(msg.data(), type, &len));
    EXPECT_EQ(len, msg.size() - kHeaderSize);
    return std::string_view(msg).substr(kHeaderSize);
}

TEST(Wire, RequestRoundTrip)
{
    RequestFrame q;
    q.flags = kReloading | kHttps;
    q.mtime = 1234567890123456;
    q.request_time = -5;
    q.script_path = "/srv/app.wsgi";
    q.callable = "application";
    q.app_group = "";
    q.variables = {{"REQUEST_METHOD", "GET"}, {"HTTP_X", std::string_view("a\0b", 3)}, {"EMPTY", ""}};
    std::string msg;
    encode_request(msg, q);
    char type;
    std::string_view payload = payload_of(msg, &type);
    EXPECT_EQ(type, kRequest);
    RequestFrame out;
    ASSERT_TRUE(decode_request(payload, &out));
    EXPECT_EQ(out.flags, q.flags);
    EXPECT_EQ(out.mtime, q.mtime);
    EXPECT_EQ(out.request_time, q.request_time);
    EXPECT_EQ(out.script_path, "/srv/app.wsgi");
    EXPECT_EQ(out.app_group, "");
    ASSERT_EQ(out.variables.size(), 3u);
    EXPECT_EQ(out.variables[1].second, std::string_view("a\0b", 3));
    // every string is also a C string in the buffer
    EXPECT_EQ(std::strlen(out.variables[0].first.data()), out.variables[0].first.size());
}

TEST(Wire, RequestRefusesTruncatedAndForgedCounts)
{
    RequestFrame q;
    q.script_path = "/a";
    q.callable = "application";
    q.variables = {{"K", "V"}};
    std::string msg;
    encode_request(msg, q);
    std::string payload = msg.substr(kHeaderSize);
    RequestFrame out;
    for (size_t cut = 0; cut < payload.size(); ++cut)
        EXPECT_FALSE(decode_request(std::string_view(payload).substr(0, cut), &out)) << cut;
    EXPECT_FALSE(decode_request(payload + "x", &out));  // trailing bytes
    // a variable count far beyond the payload
    std::string forged = payload;
    size_t count_at = payload.size() - (4 + 2 + 4 + 2) - 4;
    forged[count_at + 3] = '\x7f';
    EXPECT_FALSE(decode_request(forged, &out));
}

// Found by tests/fuzz/fuzz_wire (regressions/wire/): a string length of
// 0xffffffff was read as an empty string with a null data() (not a C
// string), and the 4 bytes alone were accepted.
TEST(Wire, StringLengthAllOnesIsMalformed)
{
    const std::string ones(4, '\xff');
    int status = 0;
    std::string_view message;
    EXPECT_FALSE(decode_fail(ones + ones, &status, &message));  // i32 -1, then the string's length
    EXPECT_FALSE(decode_fail(ones + ones + std::string(1, '\0'), &status, &message));

    RequestFrame q;
    q.script_path = "/a";
    q.callable = "application";
    q.variables = {{"K", "V"}};
    std::string msg;
    encode_request(msg, q);
    std::string payload = msg.substr(kHeaderSize);
    // the last variable's value "V\0" (length 1) becomes a length of 0xffffffff and nothing
    std::string forged = payload.substr(0, payload.size() - 6) + ones;
    RequestFrame out;
    EXPECT_FALSE(decode_request(forged, &out));

    Head h;
    EXPECT_FALSE(decode_head(std::string("\xc8\0\0\0", 4) + ones + std::string(4, '\0'), &h));
}

TEST(Wire, HeadEndFailRead)
{
    std::string msg;
    encode_head(msg, 404, "404 Not Found", {{"Content-Type", "text/plain"}});
    char type;
    Head h;
    ASSERT_TRUE(decode_head(payload_of(msg, &type), &h));
    EXPECT_EQ(type, kHead);
    EXPECT_EQ(h.status, 404);
    EXPECT_EQ(h.status_line, "404 Not Found");
    ASSERT_EQ(h.headers.size(), 1u);

    msg.clear();
    encode_end(msg, false);
    bool complete = true;
    ASSERT_TRUE(decode_end(payload_of(msg, &type), &complete));
    EXPECT_FALSE(complete);

    msg.clear();
    encode_fail(msg, 413, "too large");
    int status = 0;
    std::string_view text;
    ASSERT_TRUE(decode_fail(payload_of(msg, &type), &status, &text));
    EXPECT_EQ(status, 413);
    EXPECT_EQ(text, "too large");

    msg.clear();
    encode_u32_message(msg, kRead, 65536);
    std::uint32_t n = 0;
    ASSERT_TRUE(decode_u32(payload_of(msg, &type), &n));
    EXPECT_EQ(type, kRead);
    EXPECT_EQ(n, 65536u);
}

TEST(Wire, UnknownTypeAndSecrets)
{
    char type;
    std::uint32_t len;
    EXPECT_FALSE(parse_header("?\0\0\0\0", &type, &len));
    // every daemon -> child control message is known: 'N' (sent elsewhere) too
    for (char t : {kPid, kRestart, kClose, kElsewhere}) {
        std::string h;
        put_header(h, t, 0);
        EXPECT_TRUE(parse_header(h.data(), &type, &len)) << t;
        EXPECT_EQ(type, t);
    }
    unsigned char a[kSecretSize] = {1}, b[kSecretSize] = {1};
    EXPECT_TRUE(same_secret(a, b));
    b[kSecretSize - 1] = 2;
    EXPECT_FALSE(same_secret(a, b));
}

}  // namespace
