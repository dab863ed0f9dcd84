// client.cpp - see client.h.
#include "daemon/client.h"

#include "daemon/channel.h"

#include <algorithm>
#include <deque>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace wsgi {

namespace {

// Connections kept between requests, per daemon socket.
class KeptConnections {
public:
    static constexpr std::size_t kMaxPerSocket = 64;

    struct Kept {
        int fd = -1;
        std::uint32_t pid = 0;  // the daemon process at the other end
    };

    Kept take(const std::string& path)
    {
        std::lock_guard lock(mutex_);
        auto it = idle_.find(path);
        if (it == idle_.end() || it->second.empty()) return {};
        Kept k = it->second.back();
        it->second.pop_back();
        return k;
    }
    void give_back(const std::string& path, Kept k)
    {
        {
            std::lock_guard lock(mutex_);
            std::vector<Kept>& v = idle_[path];
            if (v.size() < kMaxPerSocket) {
                v.push_back(k);
                return;
            }
        }
        close(k.fd);
    }
    void close_all()
    {
        std::lock_guard lock(mutex_);
        for (auto& [path, kept] : idle_)
            for (const Kept& k : kept) close(k.fd);
        idle_.clear();
    }

private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::vector<Kept>> idle_;
};

KeptConnections& kept()
{
    static auto* k = new KeptConnections;  // descriptors only; lives as long as the child
    return *k;
}

// A new connection to the group's socket, or -1 with errno.
int connect_to(const std::string& path, int timeout_ms)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_un addr;
    std::memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) {
        close(fd);
        errno = ENAMETOOLONG;
        return -1;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    // A full backlog (every process busy, or being restarted) answers
    // EAGAIN at once: wait for room, up to the timeout.
    for (int waited = 0;; waited += 10) {
        if (connect(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) == 0) return fd;
        if (errno == EINTR) continue;
        if (errno != EAGAIN || waited >= timeout_ms) break;
        usleep(10000);
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

// How a daemon process that went away mid-request ended, if it can still
// be seen (a zombie until the Apache parent reaps it).
std::string how_it_ended(pid_t pid)
{
    if (pid <= 0) return "";
    for (int i = 0; i < 10; ++i) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
        FILE* f = fopen(path, "r");
        if (!f) return "";
        char buf[1024];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        const char* close_paren = strrchr(buf, ')');
        if (close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z') {
            // field 52, exit_code, is the last one
            const char* last = strrchr(buf, ' ');
            int status = last ? atoi(last + 1) : 0;
            if (WIFSIGNALED(status)) return std::string(", killed by signal ") + std::to_string(WTERMSIG(status));
            if (WIFEXITED(status)) return ", exit status " + std::to_string(WEXITSTATUS(status));
            return "";
        }
        usleep(10000);
    }
    return "";
}

enum class Outcome { kDone, kRetry, kRestarting, kElsewhere };

// request-timeout counts from the daemon's 'P' (the request starts to run).
// The daemon process reports a request that passed it (with its stack) on
// its own clock; the child answers 504 a moment later.
constexpr apr_time_t kRequestTimeoutGrace = apr_time_from_msec(1000);

class Relay {
public:
    Relay(Transport& t, const DaemonGroup& g, const ForwardRequest& q, std::uint32_t pid)
        : t_(t), g_(g), q_(q), pid_(pid),
          io_ms_(g.options.socket_timeout > 0 ? g.options.socket_timeout * 1000 : q.timeout_ms),
          deadline_(0) {}
    std::uint32_t pid() const { return pid_; }

    // One attempt on one connection.
    Outcome run(Channel& ch, bool reused, std::string_view request, int* status)
    {
        *status = 0;
        if (!ch.write_all(request, io_ms_)) return lost(ch, reused, status, true);
        for (;;) {
            char type;
            std::uint32_t len = 0;
            // Body pieces are passed on together while the next message has
            // already arrived (so a response that came whole keeps Apache's
            // computed Content-Length, as embedded mode); flushed before
            // any wait for the daemon.
            if (!pending_.empty() && ch.buffered() == 0 && !flush_pending()) return Outcome::kDone;
            // Until the response starts, request-timeout bounds the wait too.
            int wait_ms = io_ms_;
            if (deadline_ && !responded_) {
                apr_time_t left = deadline_ - apr_time_now();
                wait_ms = static_cast<int>(std::clamp<apr_time_t>(apr_time_as_msec(left), 0, io_ms_));
            }
            if (!ch.read_header(&type, &len, wait_ms)) {
                if (ch.error() == ETIMEDOUT && deadline_ && !responded_ && apr_time_now() >= deadline_)
                    return timed_out(status);
                return lost(ch, reused, status, false);
            }
            switch (type) {
            case wire::kClose:  // sent before this request arrived; the daemon serves it all the same
                if (len != 0) return broken(ch, status);
                break;
            case wire::kPid:
                if (!read_payload(ch, len, 4)) return broken(ch, status);
                wire::decode_u32(payload_, &pid_);
                // The request starts to run now: request-timeout counts from here.
                if (g_.options.request_timeout > 0 && !deadline_)
                    deadline_ = apr_time_now() + apr_time_from_sec(g_.options.request_timeout) + kRequestTimeoutGrace;
                break;
            case wire::kHead:
                if (!read_payload(ch, len, wire::kMaxRequest)) return broken(ch, status);
                if (!apply_head()) return oversized_head(status);
                responded_ = true;
                break;
            case wire::kBody:
                if (len > wire::kMaxChunk) return broken(ch, status);
                responded_ = true;
                // In pieces of at most response-buffer-size: the child never
                // holds more of a response without a flush.
                while (len > 0) {
                    std::uint32_t size = static_cast<std::uint32_t>(
                        std::min<long long>(len, std::max<long long>(g_.options.response_buffer_size, 4096)));
                    // uninitialised (not zero-filled): read_exact fills it whole
                    char* piece = pending_.emplace_back(new char[size]).get();
                    if (!ch.read_exact(piece, size, io_ms_)) return broken(ch, status);
                    len -= size;
                    if (override_) {  // WSGIErrorOverride: the application's error page is dropped
                        pending_.pop_back();
                        continue;
                    }
                    t_.append(piece, size);
                    pending_bytes_ += size;
                    if (pending_bytes_ >= g_.options.response_buffer_size && !flush_pending()) return Outcome::kDone;
                }
                break;
            case wire::kRead:
                if (!read_payload(ch, len, 4) || !send_body(ch)) return broken(ch, status);
                break;
            case wire::kStatus: {
                std::uint32_t st = 0;
                if (!read_payload(ch, len, 4) || !wire::decode_u32(payload_, &st)) return broken(ch, status);
                *status = st == wire::kAnsweredStatus ? Transport::kAnswered : static_cast<int>(st);
                clean_ = true;
                return Outcome::kDone;
            }
            case wire::kEnd: {
                bool complete = false;
                if (!read_payload(ch, len, 1) || !wire::decode_end(payload_, &complete)) return broken(ch, status);
                if (override_) {  // Apache answers with its error document for this status
                    *status = override_;
                    clean_ = complete;
                    return Outcome::kDone;
                }
                // A broken end goes out after what came before it, as in
                // embedded mode; a whole one with the pending pieces.
                if (!complete && !pending_.empty() && !flush_pending()) return Outcome::kDone;
                t_.end(complete);
                pending_.clear();
                clean_ = complete && !t_.client_gone();
                return Outcome::kDone;
            }
            case wire::kRestart:
                if (responded_) return broken(ch, status);
                return Outcome::kRestarting;
            case wire::kElsewhere:  // nothing ran: every thread of that process is busy, another has one free
                if (responded_ || !reused || len != 0) return broken(ch, status);
                return Outcome::kElsewhere;
            default:
                return broken(ch, status);
            }
        }
    }

    bool clean() const { return clean_ && !client_gone_; }

private:
    // Send what is pending; false (and client_gone_) when the client is gone
    // (the daemon sees the connection close).
    bool flush_pending()
    {
        bool ok = t_.flush();
        pending_.clear();
        pending_bytes_ = 0;
        if (!ok) client_gone_ = true;
        return ok;
    }

    bool read_payload(Channel& ch, std::uint32_t len, std::uint32_t max)
    {
        if (len > max) return false;
        payload_.resize(len);
        return ch.read_exact(payload_.data(), len, io_ms_);
    }

    // false: malformed, or a header longer than header-buffer-size.
    bool apply_head()
    {
        wire::Head h;
        if (!wire::decode_head(payload_, &h)) return false;
        if (q_.error_override && h.status >= 400) {  // WSGIErrorOverride, as mod_wsgi: Apache's page instead
            override_ = h.status;
            return true;
        }
        for (const wire::Pair& kv : h.headers)
            if (static_cast<long long>(kv.first.size()) > g_.options.header_buffer_size ||
                static_cast<long long>(kv.second.size()) > g_.options.header_buffer_size) {
                oversized_ = std::string(kv.first.substr(0, 64));
                return false;
            }
        apr_pool_t* p = t_.pool();
        auto* headers = static_cast<ResponseHeader*>(apr_palloc(p, sizeof(ResponseHeader) * (h.headers.size() + 1)));
        for (std::size_t i = 0; i < h.headers.size(); ++i) {
            headers[i].name = apr_pstrmemdup(p, h.headers[i].first.data(), h.headers[i].first.size());
            headers[i].value = apr_pstrmemdup(p, h.headers[i].second.data(), h.headers[i].second.size());
        }
        t_.set_head(h.status, apr_pstrmemdup(p, h.status_line.data(), h.status_line.size()), headers,
                    static_cast<int>(h.headers.size()));
        return true;
    }

    // The daemon asks for body bytes: read them from the client.
    bool send_body(Channel& ch)
    {
        std::uint32_t want = 0;
        if (!wire::decode_u32(payload_, &want) || want == 0 || want > wire::kMaxChunk) return false;
        asked_body_ = true;
        if (buf_cap_ < want + wire::kHeaderSize) {  // grown only, never zero-filled
            buf_.reset(new char[want + wire::kHeaderSize]);
            buf_cap_ = want + wire::kHeaderSize;
        }
        long got = t_.body().read(buf_.get() + wire::kHeaderSize, want);
        std::string head;
        if (got < 0) {
            int st = t_.body_status();
            std::string msg;
            wire::encode_fail(msg, st == Transport::kAnswered ? -1 : st, t_.body().error());
            return ch.write_all(msg, io_ms_);
        }
        wire::put_header(head, wire::kData, static_cast<std::uint32_t>(got));
        std::memcpy(buf_.get(), head.data(), wire::kHeaderSize);
        return ch.write_all(std::string_view(buf_.get(), wire::kHeaderSize + static_cast<std::size_t>(got)),
                            io_ms_);
    }

    // The daemon went away. A kept connection that was reset before
    // anything came back (the daemon closed it, retiring or stopping, with
    // this request unread in its socket) is tried again on a new one, for
    // any method: the daemon never read the request, so nothing of it ran,
    // and the body is still with the client (the daemon asks for it piece
    // by piece; nothing was asked). Otherwise the client gets 502.
    Outcome lost(Channel& ch, bool reused, int* status, bool on_write)
    {
        int err = ch.error();
        bool never_read = on_write || err == ECONNRESET || err == EPIPE;
        if (reused && !responded_ && !asked_body_ && never_read) return Outcome::kRetry;
        return broken(ch, status);
    }

    // request-timeout passed with no response: 504. The daemon process
    // reports the request's stack and is replaced; this connection is not
    // used again.
    Outcome timed_out(int* status)
    {
        std::string who = pid_ ? "daemon process " + std::to_string(pid_) : std::string("a daemon process");
        log_fmt(t_.log_target(), APLOG_ERR, "WSGIS0614",
                "%s of group '%s' did not answer the request for '%s' within request-timeout (%d s); answered 504",
                who.c_str(), g_.options.name.c_str(), q_.script_path, g_.options.request_timeout);
        *status = HTTP_GATEWAY_TIME_OUT;
        return Outcome::kDone;
    }

    // A malformed head, or a header longer than header-buffer-size: 500,
    // and the connection is not used again.
    Outcome oversized_head(int* status)
    {
        if (oversized_.empty()) {
            log_fmt(t_.log_target(), APLOG_ERR, "WSGIS0602",
                    "daemon process %u of group '%s' sent a malformed response head for '%s'; answered 502", pid_,
                    g_.options.name.c_str(), q_.script_path);
            *status = HTTP_BAD_GATEWAY;
        } else {
            log_fmt(t_.log_target(), APLOG_ERR, "WSGIS0615",
                    "the response of '%s' has a header ('%s') longer than header-buffer-size (%lld bytes) of "
                    "daemon process group '%s'; answered 500",
                    q_.script_path, oversized_.c_str(), g_.options.header_buffer_size, g_.options.name.c_str());
            *status = HTTP_INTERNAL_SERVER_ERROR;
        }
        return Outcome::kDone;
    }

    Outcome broken(Channel& ch, int* status)
    {
        if (override_) {  // nothing of the application's error response was sent
            *status = override_;
            return Outcome::kDone;
        }
        int err = ch.error();
        const char* timeout_name = g_.options.socket_timeout > 0 ? "socket-timeout" : "Timeout";
        if (err == ETIMEDOUT && !responded_ && !pid_) {
            // No daemon process took the connection up: none is running (it
            // keeps failing to start) or every one is busy.
            log_fmt(t_.log_target(), APLOG_ERR, "WSGIS0601",
                    "no daemon process of group '%s' took the request for '%s' within %d s (%s): none is running, "
                    "or all are busy; answered 503",
                    g_.options.name.c_str(), q_.script_path, io_ms_ / 1000, timeout_name);
            *status = HTTP_SERVICE_UNAVAILABLE;
            return Outcome::kDone;
        }
        std::string why = err == ETIMEDOUT ? "sent nothing for " + std::to_string(io_ms_ / 1000) + " s (" +
                                                 timeout_name + ")"
                          : err == 0      ? "closed the connection"
                                          : std::string("failed: ") + std::strerror(err);
        std::string how = err == ETIMEDOUT ? "" : how_it_ended(static_cast<pid_t>(pid_));
        std::string who = pid_ ? "daemon process " + std::to_string(pid_) : std::string("a daemon process");
        log_fmt(t_.log_target(), APLOG_ERR, "WSGIS0602", "%s of group '%s' %s in the middle of the request for '%s'%s; %s",
                who.c_str(), g_.options.name.c_str(), why.c_str(), q_.script_path, how.c_str(),
                responded_ ? "the response is cut off" : err == ETIMEDOUT ? "answered 504" : "answered 502");
        if (responded_) {
            if (pending_.empty() || flush_pending()) t_.end(false);
            *status = 0;
        } else {
            *status = err == ETIMEDOUT ? HTTP_GATEWAY_TIME_OUT : HTTP_BAD_GATEWAY;
        }
        return Outcome::kDone;
    }

    Transport& t_;
    const DaemonGroup& g_;
    const ForwardRequest& q_;
    std::string payload_, oversized_;
    std::unique_ptr<char[]> buf_;  // a body piece for the daemon, after its header
    std::size_t buf_cap_ = 0;
    std::deque<std::unique_ptr<char[]>> pending_;  // body pieces appended, not yet flushed
    long long pending_bytes_ = 0;
    std::uint32_t pid_;
    int io_ms_;            // one read or write: socket-timeout, else Apache's Timeout
    apr_time_t deadline_;  // request-timeout, from the daemon's 'P' (0: none yet)
    bool responded_ = false, asked_body_ = false, clean_ = false, client_gone_ = false;
    int override_ = 0;  // WSGIErrorOverride: the error status the application answered
};

std::string request_message(Transport& t, const ForwardRequest& q, const DaemonShared& shared, bool hello)
{
    wire::RequestFrame f;
    f.flags = q.flags;
    f.mtime = q.mtime;
    f.request_time = q.request_time;
    f.script_path = q.script_path;
    f.callable = q.callable;
    f.app_group = q.app_group;
    const apr_array_header_t* arr = apr_table_elts(t.variables());
    const auto* elts = reinterpret_cast<const apr_table_entry_t*>(arr->elts);
    f.variables.reserve(static_cast<std::size_t>(arr->nelts));
    for (int i = 0; i < arr->nelts; ++i)
        if (elts[i].key) f.variables.emplace_back(elts[i].key, elts[i].val ? elts[i].val : "");
    std::string out;
    if (hello) {
        out.append(wire::kMagic, sizeof wire::kMagic);
        out.append(reinterpret_cast<const char*>(shared.secret), wire::kSecretSize);
    }
    wire::encode_request(out, f);
    return out;
}

}  // namespace

int forward_request(Transport& t, const DaemonGroup& g, const DaemonShared& shared, const ForwardRequest& q)
{
    std::string plain, with_hello;
    apr_time_t started = apr_time_now();
    bool fresh_only = false;  // after an 'N': a new connection, which a process with a thread free accepts
    for (int attempt = 0, restarts = 0; attempt < 8; ++attempt) {
        // A kept connection, unless the daemon closed it meanwhile (it does
        // so with its idle connections when it stops).
        KeptConnections::Kept k;
        while (!fresh_only && (k = kept().take(g.socket_path)).fd >= 0) {
            Channel probe(k.fd);
            if (probe.idle_and_open()) {
                k.fd = probe.release();
                break;
            }
        }
        int fd = k.fd;
        bool reused = fd >= 0;
        if (!reused) {
            fd = connect_to(g.socket_path, g.options.connect_timeout * 1000);
            if (fd < 0) {
                int err = errno;
                log_fmt(t.log_target(), APLOG_ERR, "WSGIS0601",
                        "daemon process group '%s' cannot be reached at %s: %s; answered 503", g.options.name.c_str(),
                        g.socket_path.c_str(), std::strerror(err));
                return HTTP_SERVICE_UNAVAILABLE;
            }
        }
        Channel ch(fd);
        std::string& message = reused ? plain : with_hello;
        if (message.empty()) message = request_message(t, q, shared, !reused);
        Relay relay(t, g, q, reused ? k.pid : 0);
        int status = 0;
        switch (relay.run(ch, reused, message, &status)) {
        case Outcome::kDone:
            if (relay.clean()) kept().give_back(g.socket_path, {ch.release(), relay.pid()});
            return status;
        case Outcome::kRetry:
            continue;
        case Outcome::kElsewhere:
            fresh_only = true;
            continue;
        case Outcome::kRestarting:
            // That process is restarting for a changed script: nothing ran.
            // The next connection reaches another process, or the new one
            // once the parent has started it.
            if (apr_time_now() - started > apr_time_from_msec(q.timeout_ms)) {
                log_fmt(t.log_target(), APLOG_ERR, "WSGIS0601",
                        "daemon process group '%s' kept restarting for a changed script; answered 503",
                        g.options.name.c_str());
                return HTTP_SERVICE_UNAVAILABLE;
            }
            usleep(std::min(++restarts, 10) * 10000);
            --attempt;
            continue;
        }
    }
    log_fmt(t.log_target(), APLOG_ERR, "WSGIS0601",
            "daemon process group '%s' closed every connection tried; answered 503", g.options.name.c_str());
    return HTTP_SERVICE_UNAVAILABLE;
}

void close_kept_connections() { kept().close_all(); }

}  // namespace wsgi
