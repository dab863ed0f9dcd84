// channel.cpp - see channel.h.
#include "daemon/channel.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

namespace wsgi {

namespace {
constexpr std::size_t kReadBlock = 64 * 1024;
}

Channel::~Channel()
{
    if (fd_ >= 0) close(fd_);
}

int Channel::release()
{
    int fd = fd_;
    fd_ = -1;
    return fd;
}

bool Channel::wait(short events, int timeout_ms)
{
    struct pollfd p = {fd_, events, 0};
    for (;;) {
        int rc = poll(&p, 1, timeout_ms);
        if (rc > 0) return true;
        if (rc == 0) {
            error_ = ETIMEDOUT;
            return false;
        }
        if (errno != EINTR) {
            error_ = errno;
            return false;
        }
    }
}

bool Channel::fill(int timeout_ms)
{
    if (rpos_ == rlen_) rpos_ = rlen_ = 0;
    if (rcap_ - rlen_ < kReadBlock) {  // room for a block: move what is left to the front, or grow
        std::size_t left = rlen_ - rpos_;
        if (rcap_ < left + kReadBlock) {
            std::unique_ptr<char[]> bigger(new char[left + kReadBlock]);  // uninitialised: not zero-filled
            if (left) std::memcpy(bigger.get(), rbuf_.get() + rpos_, left);
            rbuf_ = std::move(bigger);
            rcap_ = left + kReadBlock;
        } else if (left) {
            std::memmove(rbuf_.get(), rbuf_.get() + rpos_, left);
        }
        rpos_ = 0;
        rlen_ = left;
    }
    // The socket is non-blocking: read first, wait only when nothing is there.
    ssize_t n = retry(POLLIN, timeout_ms, [&] { return recv(fd_, rbuf_.get() + rlen_, rcap_ - rlen_, 0); });
    if (n <= 0) {
        if (n == 0) error_ = 0;
        return false;
    }
    rlen_ += static_cast<std::size_t>(n);
    return true;
}

bool Channel::read_exact(char* buf, std::size_t n, int timeout_ms)
{
    while (n > 0) {
        if (rpos_ < rlen_) {
            std::size_t k = std::min(n, rlen_ - rpos_);
            std::memcpy(buf, rbuf_.get() + rpos_, k);
            rpos_ += k;
            buf += k;
            n -= k;
            continue;
        }
        if (n >= kReadBlock) {  // large: straight into the caller's buffer
            ssize_t got = retry(POLLIN, timeout_ms, [&] { return recv(fd_, buf, n, 0); });
            if (got <= 0) {
                if (got == 0) error_ = 0;
                return false;
            }
            buf += got;
            n -= static_cast<std::size_t>(got);
            continue;
        }
        if (!fill(timeout_ms)) return false;
    }
    return true;
}

bool Channel::read_header(char* type, std::uint32_t* length, int timeout_ms)
{
    char head[wire::kHeaderSize];
    if (!read_exact(head, sizeof head, timeout_ms)) return false;
    if (!wire::parse_header(head, type, length)) {
        error_ = EPROTO;
        return false;
    }
    return true;
}

bool Channel::read_message(char* type, std::string& payload, std::uint32_t max, int timeout_ms)
{
    std::uint32_t length = 0;
    if (!read_header(type, &length, timeout_ms)) return false;
    if (length > max) {
        error_ = EMSGSIZE;
        return false;
    }
    payload.resize(length);
    return read_exact(payload.data(), length, timeout_ms);
}

bool Channel::write_all(const struct iovec* iov_in, int count, int timeout_ms)
{
    struct iovec iov[16];
    int n = std::min(count, 16);
    std::copy(iov_in, iov_in + n, iov);
    int first = 0;
    while (first < n) {
        ssize_t put = retry(POLLOUT, timeout_ms, [&] { return writev(fd_, iov + first, n - first); });
        if (put < 0) return false;
        auto left = static_cast<std::size_t>(put);
        while (first < n && left >= iov[first].iov_len) left -= iov[first++].iov_len;
        if (first < n) {
            iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
            iov[first].iov_len -= left;
        }
    }
    return count <= 16 || write_all(iov_in + 16, count - 16, timeout_ms);
}

bool Channel::write_all(std::string_view data, int timeout_ms)
{
    struct iovec iov = {const_cast<char*>(data.data()), data.size()};
    return write_all(&iov, 1, timeout_ms);
}

bool Channel::send_file(int fd, off_t offset, std::size_t length, int timeout_ms)
{
    while (length > 0) {
        ssize_t put = retry(POLLOUT, timeout_ms, [&] { return sendfile(fd_, fd, &offset, length); });
        if (put < 0) return false;
        if (put == 0) {  // the file is shorter than it was
            error_ = EIO;
            return false;
        }
        length -= static_cast<std::size_t>(put);
    }
    return true;
}

bool Channel::idle_and_open()
{
    if (rpos_ < rlen_) return false;
    char c;
    ssize_t n = recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace wsgi
