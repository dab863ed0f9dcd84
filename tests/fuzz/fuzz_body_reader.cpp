// fuzz_body_reader: the request body reader (core/body_reader.h) driven by a
// script of calls against a source that the input controls.
//
// Input: [block][P][P program bytes][body bytes ...]
//   block  the reader's block size: the byte itself (0 is allowed and means
//          1), or for 250-255 one of 65536, 4096, 1000, 3, 2, 1;
//   P      how many program bytes follow (fewer if the input ends);
//   body   what the source gives, in pieces of at most `piece` bytes.
// Program, one operation per byte (op = byte % 10), some taking a size byte:
//   0 read(size)    1 read(-1)         2 readline(size)   3 readline(-1)
//   4 piece = next byte (0: no limit; the source's later reads give at most
//     that many bytes)
//   5 the source's next read fails   6 detach()
//   7 read(1) when at_end() (must give nothing)  8 read(huge)
//   9 readline(huge)
// Sizes: a byte below 240 is itself; 240-255 pick -1, -2, LLONG_MIN, 0, 1,
// block-1, block, block+1, 2*block, 2*block+1, 10^12, LLONG_MAX, 63, 64,
// 65535, 65536. After the program, unless detached, read(-1) until the end
// (a pending failure is met first: then read(-1) once more).
//
// Properties (the header's promises):
// - what successful calls return, concatenated, is exactly what the source
//   gave, in order (a failed call's bytes come back in the next calls);
//   once the source reached its end with no failure, that is the whole body;
// - read(n) returns n bytes, fewer only at the end of the body; readline
//   returns up to and including the first '\n', or `limit` bytes, or what
//   is left at the end of the body; never more than asked for;
// - a failed call returns false with nothing, error() says the source's
//   reason, and the source is never read again (nor after it said "end",
//   nor after detach()); a call after detach() returns true and nothing;
// - received() is what the source gave; buffered() is what it gave and no
//   call has returned yet; at_end() means the next call returns nothing;
// - the source is asked for > 0 bytes into room it may fill completely;
// - the sink is asked for room past `used` only by what has arrived or by
//   max(block, used), so that a call's output is never larger than twice
//   what arrived plus a block, whatever size the application asked for.
//   The sink allocates exactly the size asked for, so a write past it is
//   an ASan report.
#include "core/body_reader.h"

#include "fuzz_check.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace {

using fuzz::show;

constexpr std::string_view kError = "fuzzed source failure";

struct Source final : wsgi::BodySource {
    std::string_view body;
    std::size_t given = 0;  // bytes handed to the reader so far
    std::size_t piece = 0;  // 0: no limit
    bool fail_next = false, failed = false, ended = false, detached = false;

    long read(char* buf, std::size_t max) override
    {
        FUZZ_CHECK(max > 0, "the source is asked for at least one byte");
        FUZZ_CHECK(!failed, "the source is not read again after a failure");
        FUZZ_CHECK(!ended, "the source is not read again after it gave the end of the body");
        FUZZ_CHECK(!detached, "the source is not read after detach()");
        std::memset(buf, 0xA5, max);  // all of it must be writable
        if (fail_next) {
            failed = true;
            fail_next = false;
            return -1;
        }
        std::size_t n = std::min(max, body.size() - given);
        if (piece) n = std::min(n, piece);
        if (n == 0) {
            ended = true;
            return 0;
        }
        std::memcpy(buf, body.data() + given, n);
        given += n;
        return static_cast<long>(n);
    }
    std::string error() const override { return std::string(kError); }
};

// Allocates exactly used + more on every call, copying the used bytes.
struct ExactSink final : wsgi::BodySink {
    const Source* src;
    std::size_t block, returned_before;
    std::unique_ptr<char[]> buf;
    std::size_t size = 0, last_used = 0;

    ExactSink(const Source& s, std::size_t b, std::size_t r) : src(&s), block(b), returned_before(r) {}

    char* reserve(std::size_t used, std::size_t more) override
    {
        FUZZ_CHECK(used <= size, "the sink is told of no more used bytes than it has room for: used " +
                                     std::to_string(used) + ", room " + std::to_string(size));
        FUZZ_CHECK(used >= last_used, "a call's used bytes only grow");
        last_used = used;
        // Bytes that arrived and are not in an output yet (this call's or an earlier one's).
        std::size_t arrived = src->given - returned_before;
        FUZZ_CHECK(used <= arrived, "the output holds only bytes that arrived");
        std::size_t pending = arrived - used;
        FUZZ_CHECK(more <= std::max({block, used, pending}),
                   "the sink is asked for at most max(block, used) more bytes than arrived: more " +
                       std::to_string(more) + ", used " + std::to_string(used) + ", block " +
                       std::to_string(block) + ", arrived and pending " + std::to_string(pending));
        FUZZ_CHECK(used + more <= 2 * arrived + block, "a call's output is at most twice what arrived plus a block");
        std::unique_ptr<char[]> fresh(new char[used + more]);
        if (used) std::memcpy(fresh.get(), buf.get(), used);
        buf = std::move(fresh);
        size = used + more;
        return buf.get();
    }
};

class Run {
public:
    Run(std::string_view body, std::size_t block) : block_(std::max<std::size_t>(block, 1)), reader_(src_, block)
    {
        src_.body = body;
    }

    // One read or readline; returns false if the call failed.
    bool call(bool line, long long size)
    {
        ExactSink sink(src_, block_, out_.size());
        std::size_t n = 12345;
        bool was_failed = src_.failed;
        bool ok = line ? reader_.readline(size, sink, &n) : reader_.read(size, sink, &n);
        std::string what = std::string(line ? "readline(" : "read(") + std::to_string(size) + ")";
        if (!ok) {
            FUZZ_CHECK(n == 0, what + " failed and reports no bytes");
            FUZZ_CHECK(src_.failed && !was_failed, what + " fails only when the source has just failed");
            FUZZ_CHECK(reader_.error() == kError, what + " failed: error() is the source's: " + show(reader_.error()));
            check_counts();
            return false;
        }
        FUZZ_CHECK(n <= sink.size, what + " returned no more than the sink holds");
        std::string_view got(sink.buf.get(), n);
        if (size >= 0) FUZZ_CHECK(n <= static_cast<unsigned long long>(size), what + " returned at most what was asked");
        if (detached_) FUZZ_CHECK(n == 0, what + " after detach() returns nothing");
        out_.append(got);
        std::string_view given = src_.body.substr(0, src_.given);
        FUZZ_CHECK(out_.size() <= given.size() && given.compare(0, out_.size(), out_) == 0,
                   "the calls return the source's bytes in order, each once: returned " + show(out_) + ", given " +
                       show(given));
        check_counts();
        bool short_return = size < 0 || n < static_cast<unsigned long long>(size);
        if (line) {
            std::size_t nl = got.find('\n');
            FUZZ_CHECK(nl == std::string_view::npos || nl + 1 == n, what + " stops at the first newline: " + show(got));
            if (nl == std::string_view::npos && short_return)
                FUZZ_CHECK(reader_.at_end(), what + " without a newline and short only at the end: " + show(got));
        } else if (short_return) {
            FUZZ_CHECK(reader_.at_end(), what + " returned " + std::to_string(n) + " bytes: short only at the end");
        }
        return true;
    }

    void check_counts()
    {
        FUZZ_CHECK(reader_.received() == src_.given, "received() is what the source gave");
        if (detached_) {
            FUZZ_CHECK(reader_.buffered() == 0 && reader_.at_end(), "after detach() nothing is buffered");
        } else {
            FUZZ_CHECK(reader_.buffered() == src_.given - out_.size(),
                       "buffered() is what arrived and was not returned: " + std::to_string(reader_.buffered()) +
                           " vs " + std::to_string(src_.given - out_.size()));
        }
    }

    long long size_of(unsigned char b) const
    {
        if (b < 240) return b;
        const long long blk = static_cast<long long>(block_);
        const long long table[16] = {-1,      -2,          LLONG_MIN,     0,         1,  blk - 1, blk,   blk + 1,
                                     2 * blk, 2 * blk + 1, 1000000000000, LLONG_MAX, 63, 64,      65535, 65536};
        return table[b - 240];
    }

    void program(std::string_view prog)
    {
        std::size_t i = 0;
        auto next = [&]() -> unsigned char { return i < prog.size() ? static_cast<unsigned char>(prog[i++]) : 0; };
        while (i < prog.size()) {
            switch (static_cast<unsigned char>(prog[i++]) % 10) {
            case 0: call(false, size_of(next())); break;
            case 1: call(false, -1); break;
            case 2: call(true, size_of(next())); break;
            case 3: call(true, -1); break;
            case 4: src_.piece = next(); break;
            case 5: src_.fail_next = true; break;
            case 6:
                reader_.detach();
                detached_ = src_.detached = true;
                check_counts();
                break;
            case 7:
                if (reader_.at_end()) {
                    std::size_t before = out_.size();
                    FUZZ_CHECK(call(false, 1) && out_.size() == before, "at_end(): the next read returns nothing");
                }
                break;
            case 8: call(false, 1000000000000LL); break;
            case 9: call(true, 1000000000000LL); break;
            }
        }
    }

    void finish()
    {
        if (detached_) {
            FUZZ_CHECK(call(false, -1), "read(-1) after detach() succeeds");
            return;
        }
        if (!call(false, -1)) FUZZ_CHECK(call(false, -1), "read(-1) after a failure returns what was kept");
        FUZZ_CHECK(reader_.at_end(), "read(-1) reads to the end");
        FUZZ_CHECK(out_.size() == src_.given, "every byte the source gave was returned");
        if (!src_.failed)
            FUZZ_CHECK(out_ == src_.body, "without a failure, the whole body is returned: " + show(out_) + " vs " +
                                              show(src_.body));
        std::size_t before = out_.size();
        FUZZ_CHECK(call(true, -1) && out_.size() == before, "after the end, readline returns nothing");
    }

private:
    Source src_;
    std::size_t block_;
    wsgi::BodyReader reader_;
    std::string out_;
    bool detached_ = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
    if (in.size() < 2) return 0;
    unsigned char b = static_cast<unsigned char>(in[0]);
    static const std::size_t big[6] = {65536, 4096, 1000, 3, 2, 1};
    std::size_t block = b < 250 ? b : big[b - 250];
    std::size_t plen = std::min<std::size_t>(static_cast<unsigned char>(in[1]), in.size() - 2);
    std::string_view prog = in.substr(2, plen), body = in.substr(2 + plen);
    Run run(body, block);
    run.program(prog);
    run.finish();
    return 0;
}
