// channel.h - one connected UNIX stream socket between an Apache child and
// a daemon process: wire messages read through a buffer, writes gathered
// and finished whole, every wait bounded by a timeout. No Python, no GIL.
#pragma once

#include "core/wire.h"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <sys/uio.h>

namespace wsgi {

class Channel {
public:
    explicit Channel(int fd) : fd_(fd) {}
    ~Channel();
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;

    int fd() const { return fd_; }
    // Give the descriptor up (it is then the caller's to close).
    int release();

    // The next message's header. false on EOF (error() == 0), failure or
    // timeout (error() == ETIMEDOUT); a message of an unknown type is EPROTO.
    bool read_header(char* type, std::uint32_t* length, int timeout_ms);
    // Exactly n bytes (of the payload just announced).
    bool read_exact(char* buf, std::size_t n, int timeout_ms);
    // A whole message whose payload is at most `max` bytes (else EMSGSIZE).
    bool read_message(char* type, std::string& payload, std::uint32_t max, int timeout_ms);

    bool write_all(const struct iovec* iov, int count, int timeout_ms);
    bool write_all(std::string_view data, int timeout_ms);
    // `length` bytes of file `fd` from `offset`, as they are (sendfile).
    bool send_file(int fd, off_t offset, std::size_t length, int timeout_ms);

    // A kept connection that can still carry a request: nothing to read
    // and not closed by the peer (a daemon closes idle connections when it
    // stops).
    bool idle_and_open();

    int error() const { return error_; }
    std::size_t buffered() const { return rlen_ - rpos_; }

private:
    bool wait(short events, int timeout_ms);
    // op() again on EINTR, and after waiting for `events` on EAGAIN; its
    // result, or -1 with error() set (a failure, or the wait timed out).
    template <typename Op>
    ssize_t retry(short events, int timeout_ms, Op op)
    {
        for (;;) {
            ssize_t n = op();
            if (n >= 0) return n;
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                error_ = errno;
                return -1;
            }
            if (!wait(events, timeout_ms)) return -1;
        }
    }
    bool fill(int timeout_ms);

    int fd_;
    // Bytes received and not yet read: rbuf_[rpos_, rlen_) of rcap_ (made on
    // first use, never zero-filled: a request reads into it several times).
    std::unique_ptr<char[]> rbuf_;
    std::size_t rcap_ = 0, rlen_ = 0, rpos_ = 0;
    int error_ = 0;
};

}  // namespace wsgi
