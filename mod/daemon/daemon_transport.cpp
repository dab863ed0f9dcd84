// daemon_transport.cpp - see daemon_transport.h.
#include "daemon/daemon_transport.h"

#include <algorithm>
#include <cerrno>

namespace wsgi {

// ---- the body --------------------------------------------------------------

long ChildBodySource::read(char* buf, std::size_t max)
{
    if (eof_) return 0;
    max = std::min<std::size_t>(max, wire::kMaxChunk);
    out_.clear();
    wire::encode_u32_message(out_, wire::kRead, static_cast<std::uint32_t>(max));
    char type;
    std::uint32_t len = 0;
    if (!ch_.write_all(out_, timeout_ms_) || !ch_.read_header(&type, &len, timeout_ms_)) {
        eof_ = broken_ = true;
        status_ = 400;
        error_ = "the Apache child's connection failed while the body was read";
        return -1;
    }
    if (type == wire::kData && len <= max) {
        if (!ch_.read_exact(buf, len, timeout_ms_)) {
            eof_ = broken_ = true;
            status_ = 400;
            error_ = "the Apache child's connection failed while the body was read";
            return -1;
        }
        if (len == 0) eof_ = true;
        return static_cast<long>(len);
    }
    if (type == wire::kFail && len <= wire::kMaxChunk) {
        std::string payload(len, '\0');
        std::string_view message;
        if (ch_.read_exact(payload.data(), len, timeout_ms_) && wire::decode_fail(payload, &status_, &message)) {
            eof_ = true;
            error_ = std::string(message);
            return -1;
        }
    }
    eof_ = broken_ = true;
    status_ = 400;
    error_ = "the Apache child sent something else than the body asked for";
    return -1;
}

// ---- the request -------------------------------------------------------------

DaemonTransport::DaemonTransport(Channel& ch, const wire::RequestFrame& frame, apr_pool_t* pool, server_rec* s,
                                 int timeout_ms)
    : ch_(ch), frame_(frame), pool_(pool), timeout_ms_(timeout_ms), body_(ch, timeout_ms)
{
    vars_ = apr_table_make(pool, static_cast<int>(frame.variables.size()));
    // The strings are NUL-terminated in the request message, which lives
    // as long as the request: the table points into it.
    for (const wire::Pair& v : frame.variables) apr_table_addn(vars_, v.first.data(), v.second.data());
    const char* ip = apr_table_get(vars_, "REMOTE_ADDR");
    const char* port = apr_table_get(vars_, "REMOTE_PORT");
    log_ = LogTarget::of(s);
    if (ip) log_.client = port ? apr_pstrcat(pool, ip, ":", port, nullptr) : ip;
}

RequestLine DaemonTransport::request_line()
{
    return {apr_table_get(vars_, "REMOTE_ADDR"), apr_table_get(vars_, "REQUEST_METHOD"),
            apr_table_get(vars_, "REQUEST_URI")};
}

int DaemonTransport::body_status()
{
    int st = body_.status();
    return st < 0 ? kAnswered : st;
}

// ---- the response --------------------------------------------------------------

void DaemonTransport::set_head(int status, const char* status_line, const ResponseHeader* h, int count)
{
    std::vector<wire::Pair> headers;
    headers.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) headers.emplace_back(h[i].name, h[i].value);
    head_.clear();
    wire::encode_head(head_, status, status_line, headers);
}

void DaemonTransport::append(const char* data, apr_size_t len)
{
    while (len > 0) {  // one 'B' message carries at most kMaxChunk bytes
        apr_size_t k = std::min<apr_size_t>(len, wire::kMaxChunk);
        out_.push_back(Piece{data, k});
        data += k;
        len -= k;
    }
}

bool DaemonTransport::append_file(int fd, apr_off_t offset, apr_off_t len)
{
    while (len > 0) {
        apr_size_t k = static_cast<apr_size_t>(std::min<apr_off_t>(len, wire::kMaxChunk));
        out_.push_back(Piece{nullptr, k, fd, offset});
        offset += static_cast<apr_off_t>(k);
        len -= static_cast<apr_off_t>(k);
    }
    return true;
}

// The head (once), the appended pieces as 'B' messages, and the end if asked.
bool DaemonTransport::send(bool end, bool complete)
{
    if (gone_) {
        out_.clear();
        return false;
    }
    std::string headers;  // message headers of the pieces, kept while writing
    headers.reserve(out_.size() * wire::kHeaderSize + wire::kHeaderSize + 1);
    for (const Piece& p : out_) wire::put_header(headers, wire::kBody, static_cast<std::uint32_t>(p.len));
    std::string tail;
    if (end) wire::encode_end(tail, complete);

    struct iovec iov[16];
    int n = 0;
    auto push = [&](const void* base, std::size_t len) -> bool {
        if (n == 16) {
            if (!ch_.write_all(iov, n, timeout_ms_)) return false;
            n = 0;
        }
        iov[n++] = {const_cast<void*>(base), len};
        return true;
    };
    bool ok = true;
    if (!head_sent_ && !head_.empty()) {
        ok = push(head_.data(), head_.size());
        head_sent_ = true;
    }
    for (std::size_t i = 0; ok && i < out_.size(); ++i) {
        const Piece& p = out_[i];
        ok = push(headers.data() + i * wire::kHeaderSize, wire::kHeaderSize);
        if (!ok) break;
        if (p.fd < 0) {
            ok = push(p.data, p.len);
        } else {  // what is queued first, then the file range itself
            ok = ch_.write_all(iov, n, timeout_ms_) && ch_.send_file(p.fd, p.offset, p.len, timeout_ms_);
            n = 0;
        }
    }
    if (ok && !tail.empty()) ok = push(tail.data(), tail.size());
    if (ok && n > 0) ok = ch_.write_all(iov, n, timeout_ms_);
    out_.clear();
    if (!ok) gone_ = true;
    return ok;
}

bool DaemonTransport::flush() { return send(false, false); }

void DaemonTransport::end(bool complete)
{
    if (ended_) return;
    ended_ = true;
    complete_ = complete;
    send(true, complete);
}

void DaemonTransport::answer_status(int status)
{
    ended_ = true;
    complete_ = true;
    out_.clear();
    std::string msg;
    wire::encode_u32_message(msg, wire::kStatus, static_cast<std::uint32_t>(status));
    if (!ch_.write_all(msg, timeout_ms_)) gone_ = true;
}

}  // namespace wsgi
