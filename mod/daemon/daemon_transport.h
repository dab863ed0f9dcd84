// daemon_transport.h - daemon mode's transport, in the daemon process: the request
// the Apache child sent (its CGI variables as a table pointing into the
// request message), the body pulled from the child as the application reads
// it, and the response sent back as wire messages. One per request, on the
// worker thread's stack; request memory in `pool`.
#pragma once

#include "core/wire.h"
#include "daemon/channel.h"
#include "pipeline/transport.h"

#include <string>
#include <vector>

namespace wsgi {

// The body, asked for from the child in pieces ('R' -> 'D'/'X').
class ChildBodySource final : public BodySource {
public:
    ChildBodySource(Channel& ch, int timeout_ms) : ch_(ch), timeout_ms_(timeout_ms) {}
    long read(char* buf, std::size_t max) override;
    std::string error() const override { return error_; }
    int status() const { return status_; }
    // The connection cannot carry another request (a read failed midway).
    bool broken() const { return broken_; }

private:
    Channel& ch_;
    int timeout_ms_;
    bool eof_ = false, broken_ = false;
    int status_ = 0;
    std::string error_, out_;
};

class DaemonTransport final : public Transport {
public:
    DaemonTransport(Channel& ch, const wire::RequestFrame& frame, apr_pool_t* pool, server_rec* s, int timeout_ms);

    apr_pool_t* pool() override { return pool_; }
    const apr_table_t* variables() override { return vars_; }
    bool https() override { return frame_.flags & wire::kHttps; }
    bool head_only() override { return frame_.flags & wire::kHeadOnly; }
    LogTarget log_target() override { return log_; }
    RequestLine request_line() override;

    BodySource& body() override { return body_; }
    int body_status() override;

    void set_head(int status, const char* status_line, const ResponseHeader* headers, int count) override;
    void append(const char* data, apr_size_t len) override;
    bool append_file(int fd, apr_off_t offset, apr_off_t len) override;
    bool flush() override;
    void end(bool complete) override;
    bool client_gone() override { return gone_; }

    // Nothing was sent: ask the child to answer with this status itself.
    void answer_status(int status);
    bool started() const { return head_sent_ || !out_.empty() || ended_; }
    bool ended() const { return ended_; }
    // The connection can carry the next request.
    bool reusable() const { return ended_ && complete_ && !gone_ && !body_.broken(); }

private:
    struct Piece {
        const char* data;  // memory bytes, or
        apr_size_t len;
        int fd = -1;       // a file range
        apr_off_t offset = 0;
    };
    bool send(bool end, bool complete);

    Channel& ch_;
    const wire::RequestFrame& frame_;
    apr_pool_t* pool_;
    apr_table_t* vars_;
    LogTarget log_;
    int timeout_ms_;
    ChildBodySource body_;
    std::string head_;            // the 'H' message, until sent
    std::vector<Piece> out_;      // appended, not yet sent
    bool head_sent_ = false, ended_ = false, complete_ = false, gone_ = false;
};

}  // namespace wsgi
