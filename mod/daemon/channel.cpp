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
    if (rpos_ == rbuf_.size()) {
        rbuf_.clear();
        rpos_ = 0;
    }
    if (!wait(POLLIN, timeout_ms)) return false;
    std::size_t old = rbuf_.size();
    rbuf_.resize(old + kReadBlock);
    ssize_t n;
    do {
        n = recv(fd_, rbuf_.data() + old, kReadBlock, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        rbuf_.resize(old);
        error_ = n == 0 ? 0 : errno;
        return false;
    }
    rbuf_.resize(old + static_cast<std::size_t>(n));
    return true;
}

bool Channel::read_exact(char* buf, std::size_t n, int timeout_ms)
{
    while (n > 0) {
        if (rpos_ < rbuf_.size()) {
            std::size_t k = std::min(n, rbuf_.size() - rpos_);
            std::memcpy(buf, rbuf_.data() + rpos_, k);
            rpos_ += k;
            buf += k;
            n -= k;
            continue;
        }
        if (n >= kReadBlock) {  // large: straight into the caller's buffer
            if (!wait(POLLIN, timeout_ms)) return false;
            ssize_t got;
            do {
                got = recv(fd_, buf, n, 0);
            } while (got < 0 && errno == EINTR);
            if (got <= 0) {
                error_ = got == 0 ? 0 : errno;
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
    if (rpos_ < rbuf_.size()) return false;
    char c;
    ssize_t n = recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace wsgi
