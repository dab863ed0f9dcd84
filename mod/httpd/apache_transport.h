// apache_transport.h - embedded mode's transport: the Apache request (its
// CGI variables, its body through the input filters, its response through
// the output filters as brigades). See pipeline/transport.h for which calls
// may block (they are made without the GIL). Lives on the handler's stack
// for the request; request-lifetime memory is r->pool.
#pragma once

#include "pipeline/transport.h"

#include <string>

namespace wsgi {

// The request body through Apache's input filters (de-chunked,
// LimitRequestBody enforced). Blocks waiting for the client: call without
// the GIL.
class ApacheBodySource final : public BodySource {
public:
    explicit ApacheBodySource(request_rec* r) : r_(r) {}
    long read(char* buf, std::size_t max) override;
    std::string error() const override { return error_; }
    // The status a failed read calls for (ap_map_http_request_error); 0 if none.
    int failed_status() const { return status_; }

private:
    void fail(apr_status_t rv);

    request_rec* r_;
    apr_bucket_brigade* bb_ = nullptr;
    apr_off_t total_ = 0;
    bool eos_ = false;
    int status_ = 0;
    std::string error_;
};

class ApacheTransport final : public Transport {
public:
    explicit ApacheTransport(request_rec* r);

    // The CGI variables into r->subprocess_env (ap_add_common_vars,
    // ap_add_cgi_vars), HTTP_AUTHORIZATION only when passed. Call WITHOUT
    // the GIL, before the request enters Python: PATH_TRANSLATED is found
    // by a sub-request (a filesystem walk and access checks on a client-
    // chosen path).
    void add_cgi_vars(bool pass_authorization);
    // The scheme as a trusted proxy header decided it (httpd/proxy_headers):
    // https() answers this from now on.
    void set_https(bool on) { https_override_ = on ? 1 : 0; }

    apr_pool_t* pool() override { return r_->pool; }
    const apr_table_t* variables() override { return r_->subprocess_env; }
    bool https() override;
    bool head_only() override { return r_->header_only; }
    LogTarget log_target() override { return LogTarget::of(r_); }
    RequestLine request_line() override { return {r_->useragent_ip, r_->method, r_->unparsed_uri}; }

    BodySource& body() override { return body_; }
    int body_status() override;

    void set_head(int status, const char* status_line, const ResponseHeader* headers, int count) override;
    void append(const char* data, apr_size_t len) override;
    bool append_file(int fd, apr_off_t offset, apr_off_t len) override;
    bool flush() override;
    void end(bool complete) override;
    bool client_gone() override { return gone_; }

private:
    bool pass();

    request_rec* r_;
    ApacheBodySource body_;
    apr_bucket_brigade* bb_;
    bool gone_ = false;
    int https_override_ = -1;  // -1: the connection's scheme
};

}  // namespace wsgi
