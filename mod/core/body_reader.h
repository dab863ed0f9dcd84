// body_reader.h - the request body as an application reads it (read(n),
// readline(limit), whole body), over any byte source. Pure: no httpd, no
// Python, so it is unit tested and fuzzed on its own (tests/unit,
// tests/fuzz) and shared by every transport.
//
// Memory: the reader owns one buffer of `block` bytes (made on first use;
// after a failed call it holds that call's bytes instead, for the next).
// What a call returns is written to a BodySink that grows only as data
// arrives, never by what a client announces: the sink is asked for at most
// max(block, bytes already returned by this call) more bytes at a time, so
// a call holds at most about twice what the client actually sent plus one
// block. Nothing is zero-filled. Allocation failures surface as
// std::bad_alloc from the sink; the caller turns them into MemoryError.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace wsgi {

// Where the bytes come from (an Apache request, a daemon socket, a test).
class BodySource {
public:
    virtual ~BodySource() = default;
    // Read up to max (> 0) bytes into buf: the count read (> 0), 0 at the
    // end of the body, -1 on failure (error() then says why).
    virtual long read(char* buf, std::size_t max) = 0;
    virtual std::string error() const = 0;
};

// Where a call's result goes (a Python bytes object, a std::string).
class BodySink {
public:
    virtual ~BodySink() = default;
    // Room for at least `more` further bytes after the `used` already
    // written; returns the start of the whole output. May throw std::bad_alloc.
    virtual char* reserve(std::size_t used, std::size_t more) = 0;
};

// A BodySink on a std::string (tests, fuzzing, small internal reads).
class StringSink final : public BodySink {
public:
    explicit StringSink(std::string& out) : out_(out) {}
    char* reserve(std::size_t used, std::size_t more) override;

private:
    std::string& out_;
};

class BodyReader {
public:
    static constexpr std::size_t kDefaultBlock = 64 * 1024;

    explicit BodyReader(BodySource& source, std::size_t block = kDefaultBlock);
    BodyReader(const BodyReader&) = delete;
    BodyReader& operator=(const BodyReader&) = delete;

    // Each call writes its bytes to sink and sets *n_out to their count.
    // false on a source failure (error() says why): the bytes the call had
    // taken stay buffered, so later calls return them and then the end of
    // the body. After the end of the body every call returns true with
    // *n_out == 0.

    // Up to `size` bytes; size < 0: everything up to the end of the body.
    bool read(long long size, BodySink& sink, std::size_t* n_out);
    // Up to and including the next '\n', at most `limit` bytes (limit < 0: no limit).
    bool readline(long long limit, BodySink& sink, std::size_t* n_out);

    bool at_end() const { return eof_ && pos_ == end_; }
    std::size_t buffered() const { return end_ - pos_; }
    unsigned long long received() const { return received_; }
    const std::string& error() const { return error_; }
    // No more reads from the source: later calls see the end of the body.
    void detach();

private:
    bool fill();  // refill the (empty) buffer; false on failure
    // A failed call: keep its `used` bytes (in front of what is buffered) for the next calls.
    bool fail(BodySink& sink, std::size_t used);
    // Next chunk of output room: at most `left` bytes.
    static std::size_t step(std::size_t block, std::size_t used, unsigned long long left);

    BodySource* source_;
    std::size_t block_;
    std::unique_ptr<char[]> buf_;
    std::size_t pos_ = 0, end_ = 0;
    unsigned long long received_ = 0;
    bool eof_ = false;
    std::string error_;
};

}  // namespace wsgi
