// BodyReader: what read(n), readline(limit) and failures return, and the
// bound on what a call allocates, over scripted sources.
#include "core/body_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <string>

namespace {

using wsgi::BodyReader;
using wsgi::BodySink;
using wsgi::BodySource;
using wsgi::StringSink;

// Gives `data` in pieces of at most `piece` bytes, then the end (or a
// failure after `fail_after` bytes).
class ScriptedSource final : public BodySource {
public:
    ScriptedSource(std::string data, size_t piece, long fail_after = -1)
        : data_(std::move(data)), piece_(piece), fail_after_(fail_after) {}
    long read(char* buf, size_t max) override
    {
        ++calls;
        if (fail_after_ >= 0 && pos_ >= static_cast<size_t>(fail_after_)) return -1;
        size_t n = std::min({max, piece_, data_.size() - pos_});
        if (fail_after_ >= 0) n = std::min(n, static_cast<size_t>(fail_after_) - pos_);
        std::memcpy(buf, data_.data() + pos_, n);
        pos_ += n;
        return static_cast<long>(n);
    }
    std::string error() const override { return "scripted failure"; }
    int calls = 0;

private:
    std::string data_;
    size_t piece_, pos_ = 0;
    long fail_after_;
};

// Records the largest output size it was asked for.
class MeasuringSink final : public BodySink {
public:
    char* reserve(size_t used, size_t more) override
    {
        largest = std::max(largest, used + more);
        if (out.size() < used + more) out.resize(used + more);
        return out.data();
    }
    std::string out;
    size_t largest = 0;
};

std::string read_n(BodyReader& r, long long n)
{
    std::string out;
    StringSink sink(out);
    size_t got = 0;
    EXPECT_TRUE(r.read(n, sink, &got));
    out.resize(got);
    return out;
}

std::string line(BodyReader& r, long long limit = -1)
{
    std::string out;
    StringSink sink(out);
    size_t got = 0;
    EXPECT_TRUE(r.readline(limit, sink, &got));
    out.resize(got);
    return out;
}

TEST(BodyReader, ReadAllInPieces)
{
    std::string body(200000, 'x');
    for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
    for (size_t piece : {1ul, 7ul, 4096ul, 65536ul, 300000ul}) {
        ScriptedSource src(body, piece);
        BodyReader r(src, 1000);
        EXPECT_EQ(read_n(r, -1), body) << piece;
        EXPECT_TRUE(r.at_end());
        EXPECT_EQ(read_n(r, 10), "");
        EXPECT_EQ(r.received(), body.size());
    }
}

TEST(BodyReader, ReadNExactAndShort)
{
    ScriptedSource src("hello world", 3);
    BodyReader r(src, 4);
    EXPECT_EQ(read_n(r, 5), "hello");
    EXPECT_EQ(read_n(r, 0), "");
    EXPECT_EQ(read_n(r, 100), " world");
    EXPECT_EQ(read_n(r, 100), "");
}

TEST(BodyReader, Readline)
{
    ScriptedSource src("one\ntwo\n\nthree", 2);
    BodyReader r(src, 3);
    EXPECT_EQ(line(r), "one\n");
    EXPECT_EQ(line(r, 2), "tw");
    EXPECT_EQ(line(r), "o\n");
    EXPECT_EQ(line(r), "\n");
    EXPECT_EQ(line(r), "three");
    EXPECT_EQ(line(r), "");
}

TEST(BodyReader, ReadAfterReadlineKeepsOrder)
{
    ScriptedSource src("a\nbcdefgh\nij", 100);
    BodyReader r(src, 4);
    EXPECT_EQ(line(r), "a\n");
    EXPECT_EQ(read_n(r, 3), "bcd");
    EXPECT_EQ(line(r), "efgh\n");
    EXPECT_EQ(read_n(r, -1), "ij");
}

// A huge size announced, a few bytes sent: the output never grows past
// what arrived plus a block.
TEST(BodyReader, HugeReadAllocatesByWhatArrives)
{
    ScriptedSource src("abc", 1);
    BodyReader r(src, 64 * 1024);
    MeasuringSink sink;
    size_t got = 0;
    ASSERT_TRUE(r.read(1000000000000LL, sink, &got));
    EXPECT_EQ(got, 3u);
    EXPECT_LE(sink.largest, 64u * 1024 + 3);
}

TEST(BodyReader, GrowthIsBoundedByReceived)
{
    std::string body(10 * 1000 * 1000, 'z');
    ScriptedSource src(body, 1500);  // a network-sized trickle
    BodyReader r(src, 64 * 1024);
    MeasuringSink sink;
    size_t got = 0;
    ASSERT_TRUE(r.read(static_cast<long long>(body.size()) * 100, sink, &got));
    EXPECT_EQ(got, body.size());
    EXPECT_LE(sink.largest, 2 * body.size() + 64 * 1024);
}

TEST(BodyReader, HugeReadlineAllocatesByWhatArrives)
{
    ScriptedSource src("no newline here", 4);
    BodyReader r(src, 8);
    MeasuringSink sink;
    size_t got = 0;
    ASSERT_TRUE(r.readline(1LL << 50, sink, &got));
    EXPECT_EQ(got, 15u);
    EXPECT_LE(sink.largest, 15u);
}

TEST(BodyReader, FailureKeepsBytesForNextCalls)
{
    ScriptedSource src(std::string(1000, 'B'), 100, 1000);
    BodyReader r(src, 64);
    std::string out;
    StringSink sink(out);
    size_t got = 99;
    EXPECT_FALSE(r.read(5000, sink, &got));
    EXPECT_EQ(r.error(), "scripted failure");
    EXPECT_EQ(read_n(r, 600), std::string(600, 'B'));
    EXPECT_EQ(read_n(r, -1), std::string(400, 'B'));
    EXPECT_EQ(read_n(r, -1), "");
}

TEST(BodyReader, FailureInReadlineKeepsBytes)
{
    ScriptedSource src("partial line", 5, 12);
    BodyReader r(src, 4);
    std::string out;
    StringSink sink(out);
    size_t got = 0;
    EXPECT_FALSE(r.readline(-1, sink, &got));
    EXPECT_EQ(line(r), "partial line");
    EXPECT_EQ(line(r), "");
}

TEST(BodyReader, DetachEndsTheBody)
{
    ScriptedSource src("abcdef", 2);
    BodyReader r(src, 4);
    EXPECT_EQ(read_n(r, 1), "a");
    r.detach();
    int calls = src.calls;
    EXPECT_EQ(read_n(r, -1), "");
    EXPECT_EQ(src.calls, calls);
}

}  // namespace
