// fuzz_wire: the protocol between an Apache child and a daemon process
// (core/wire.h): message headers, the payload decoders and encoders,
// same_secret.
//
// Input: [mode][rest]
//   mode even: rest is a message as it arrives: parse_header on its first
//     5 bytes (when there are 5), and every decoder on the bytes after them;
//   mode odd: rest describes messages to encode: two bytes of flags and
//     status, 16 bytes of mtime and request_time, then fields split at '\n':
//     script path, callable, application group, then name/value pairs;
//     every encoder runs on them and the result is decoded again.
// Both modes also compare same_secret on the input's first 64 bytes.
//
// Properties:
// - parse_header accepts exactly the known types (wire.h's Type) and reads the length
//   as u32 little-endian;
// - a payload a decoder accepts encodes back to exactly the same bytes (one
//   encoding per message: no trailing bytes, no slack), every decoded view
//   lies inside the payload and is followed there by a NUL; a request has a
//   script path and a callable; a head's status is 100-999; a variable or
//   header count never makes the decoder reserve more entries than the
//   payload could hold;
// - whatever the encoders are given decodes back to what they were given
//   (a request only when its script path and callable are not empty), and
//   each encoded message's header names its type and its payload length;
// - same_secret(a, b) is memcmp(a, b, 32) == 0.
#include "core/wire.h"

#include "fuzz_check.h"

#include <cstring>

namespace {

using fuzz::show;
namespace wire = wsgi::wire;

// Decoded views point into payload, each followed there by a NUL.
void check_view(std::string_view payload, std::string_view v, const char* what)
{
    if (v.data() == nullptr) return;  // an empty view from a failed read
    FUZZ_CHECK(v.data() >= payload.data() && v.data() + v.size() < payload.data() + payload.size(),
               std::string(what) + " points into the payload");
    FUZZ_CHECK(v.data()[v.size()] == '\0', std::string(what) + " is followed by a NUL");
}

std::string header_of(char type, std::size_t n)
{
    std::string h;
    wire::put_header(h, type, static_cast<std::uint32_t>(n));
    return h;
}

void check_encoded(const std::string& msg, char type)
{
    FUZZ_CHECK(msg.size() >= wire::kHeaderSize, "an encoded message has a header");
    char t = 0;
    std::uint32_t n = 0;
    FUZZ_CHECK(wire::parse_header(msg.data(), &t, &n) && t == type && n == msg.size() - wire::kHeaderSize,
               std::string("the encoded header names type ") + type + " and the payload's length");
}

void decode_all(std::string_view p)
{
    wire::RequestFrame q;
    if (wire::decode_request(p, &q)) {
        FUZZ_CHECK(!q.script_path.empty() && !q.callable.empty(), "a decoded request has a script and a callable");
        FUZZ_CHECK(q.variables.capacity() <= p.size() / 10 + 1, "the variable count is bounded by the payload");
        check_view(p, q.script_path, "script_path");
        check_view(p, q.callable, "callable");
        check_view(p, q.app_group, "app_group");
        for (const wire::Pair& v : q.variables) {
            check_view(p, v.first, "a variable's name");
            check_view(p, v.second, "a variable's value");
        }
        std::string again;
        wire::encode_request(again, q);
        FUZZ_CHECK(again == header_of(wire::kRequest, p.size()) + std::string(p),
                   "a decoded request encodes to the same bytes: " + show(p));
    }
    wire::Head h;
    if (wire::decode_head(p, &h)) {
        FUZZ_CHECK(h.status >= 100 && h.status <= 999, "a decoded status is 100-999");
        FUZZ_CHECK(h.headers.capacity() <= p.size() / 10 + 1, "the header count is bounded by the payload");
        check_view(p, h.status_line, "status_line");
        for (const wire::Pair& v : h.headers) {
            check_view(p, v.first, "a header's name");
            check_view(p, v.second, "a header's value");
        }
        std::string again;
        wire::encode_head(again, h.status, h.status_line, h.headers);
        FUZZ_CHECK(again == header_of(wire::kHead, p.size()) + std::string(p),
                   "a decoded head encodes to the same bytes: " + show(p));
    }
    std::uint32_t u = 0;
    if (wire::decode_u32(p, &u)) {
        std::string again;
        wire::encode_u32_message(again, wire::kRead, u);
        FUZZ_CHECK(again == header_of(wire::kRead, p.size()) + std::string(p), "u32 round trip: " + show(p));
    }
    bool complete = false;
    if (wire::decode_end(p, &complete)) {
        std::string again;
        wire::encode_end(again, complete);
        FUZZ_CHECK(again == header_of(wire::kEnd, p.size()) + std::string(p), "end round trip: " + show(p));
    }
    int status = 0;
    std::string_view message;
    if (wire::decode_fail(p, &status, &message)) {
        check_view(p, message, "a failure's message");
        std::string again;
        wire::encode_fail(again, status, message);
        FUZZ_CHECK(again == header_of(wire::kFail, p.size()) + std::string(p), "fail round trip: " + show(p));
    }
}

void as_received(std::string_view in)
{
    if (in.size() < wire::kHeaderSize) {
        decode_all(in);
        return;
    }
    char type = 0;
    std::uint32_t len = 0;
    bool known = wire::parse_header(in.data(), &type, &len);
    static constexpr std::string_view types = "QDXHBRESZPCN";
    FUZZ_CHECK(known == (types.find(in[0]) != std::string_view::npos), "parse_header knows exactly wire.h's types");
    FUZZ_CHECK(type == in[0], "parse_header reads the type byte");
    std::uint32_t want = 0;
    for (int i = 0; i < 4; ++i) want |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[1 + i])) << (8 * i);
    FUZZ_CHECK(len == want, "parse_header reads the length as u32 little-endian");
    decode_all(in.substr(wire::kHeaderSize));
}

std::int64_t i64_at(std::string_view s, std::size_t at)
{
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i)
        v |= static_cast<std::uint64_t>(at + i < s.size() ? static_cast<unsigned char>(s[at + i]) : 0) << (8 * i);
    return static_cast<std::int64_t>(v);
}

void as_sent(std::string_view in)
{
    unsigned char flags = in.size() > 0 ? static_cast<unsigned char>(in[0]) : 0;
    unsigned char sb = in.size() > 1 ? static_cast<unsigned char>(in[1]) : 0;
    std::vector<std::string_view> f;
    std::string_view rest = in.size() > 18 ? in.substr(18) : std::string_view();
    for (std::size_t pos = 0;;) {
        std::size_t nl = rest.find('\n', pos);
        f.push_back(rest.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    auto field = [&](std::size_t i) { return i < f.size() ? f[i] : std::string_view(); };

    wire::RequestFrame q;
    q.flags = flags;
    q.mtime = i64_at(in, 2);
    q.request_time = i64_at(in, 10);
    q.script_path = field(0);
    q.callable = field(1);
    q.app_group = field(2);
    for (std::size_t i = 3; i + 1 < f.size(); i += 2) q.variables.emplace_back(f[i], f[i + 1]);
    std::string msg;
    wire::encode_request(msg, q);
    check_encoded(msg, wire::kRequest);
    wire::RequestFrame d;
    bool ok = wire::decode_request(std::string_view(msg).substr(wire::kHeaderSize), &d);
    FUZZ_CHECK(ok == (!q.script_path.empty() && !q.callable.empty()),
               "an encoded request decodes exactly when it names a script and a callable");
    if (ok) {
        FUZZ_CHECK(d.flags == q.flags && d.mtime == q.mtime && d.request_time == q.request_time &&
                       d.script_path == q.script_path && d.callable == q.callable && d.app_group == q.app_group &&
                       d.variables == q.variables,
                   "a request decodes to what was encoded");
    }

    int status = 100 + (sb * 7 + static_cast<int>(flags)) % 900;  // 100-999
    std::vector<wire::Pair> headers(q.variables);
    msg.clear();
    wire::encode_head(msg, status, q.app_group, headers);
    check_encoded(msg, wire::kHead);
    wire::Head h;
    FUZZ_CHECK(wire::decode_head(std::string_view(msg).substr(wire::kHeaderSize), &h) && h.status == status &&
                   h.status_line == q.app_group && h.headers == headers,
               "a head decodes to what was encoded");

    std::uint32_t u = static_cast<std::uint32_t>(q.mtime);
    msg.clear();
    wire::encode_u32_message(msg, wire::kStatus, u);
    check_encoded(msg, wire::kStatus);
    std::uint32_t du = 0;
    FUZZ_CHECK(wire::decode_u32(std::string_view(msg).substr(wire::kHeaderSize), &du) && du == u, "u32 round trip");

    msg.clear();
    wire::encode_end(msg, flags & 1);
    check_encoded(msg, wire::kEnd);
    bool complete = false;
    FUZZ_CHECK(wire::decode_end(std::string_view(msg).substr(wire::kHeaderSize), &complete) &&
                   complete == bool(flags & 1),
               "end round trip");

    int fs = static_cast<int>(static_cast<std::int32_t>(static_cast<std::uint32_t>(q.request_time)));
    msg.clear();
    wire::encode_fail(msg, fs, q.callable);
    check_encoded(msg, wire::kFail);
    int ds = 0;
    std::string_view dm;
    FUZZ_CHECK(wire::decode_fail(std::string_view(msg).substr(wire::kHeaderSize), &ds, &dm) && ds == fs &&
                   dm == q.callable,
               "fail round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0) return 0;
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] % 2 == 0)
        as_received(in);
    else
        as_sent(in);
    if (in.size() >= 2 * wire::kSecretSize) {
        auto a = reinterpret_cast<const unsigned char*>(in.data());
        FUZZ_CHECK(wire::same_secret(a, a + wire::kSecretSize) ==
                       (std::memcmp(a, a + wire::kSecretSize, wire::kSecretSize) == 0),
                   "same_secret is memcmp == 0");
    }
    return 0;
}
