// apache_transport.cpp - see apache_transport.h.
#include "httpd/apache_transport.h"

#include "httpd/config.h"

#include <apr_buckets.h>
#include <unistd.h>

namespace wsgi {

// ---- the body ------------------------------------------------------------

long ApacheBodySource::read(char* buf, std::size_t max)
{
    if (eos_) return 0;
    if (!bb_) bb_ = apr_brigade_create(r_->pool, r_->connection->bucket_alloc);
    apr_status_t rv;
    apr_size_t len = 0;
    for (;;) {
        rv = ap_get_brigade(r_->input_filters, bb_, AP_MODE_READBYTES, APR_BLOCK_READ, static_cast<apr_off_t>(max));
        if (rv != APR_SUCCESS) break;
        if (!APR_BRIGADE_EMPTY(bb_) && APR_BUCKET_IS_EOS(APR_BRIGADE_LAST(bb_))) eos_ = true;
        len = max;
        rv = apr_brigade_flatten(bb_, buf, &len);
        apr_brigade_cleanup(bb_);
        if (rv != APR_SUCCESS || len > 0 || eos_) break;
    }
    if (rv != APR_SUCCESS) {
        fail(rv);
        return -1;
    }
    total_ += static_cast<apr_off_t>(len);
    return static_cast<long>(len);
}

void ApacheBodySource::fail(apr_status_t rv)
{
    eos_ = true;
    status_ = ap_map_http_request_error(rv, HTTP_BAD_REQUEST);
    std::string why;
    apr_off_t limit = ap_get_limit_req_body(r_);
    if (rv == APR_ENOSPC || (rv == AP_FILTER_ERROR && limit > 0 && total_ >= limit)) {
        why = "it is larger than LimitRequestBody (" + std::to_string(limit) + " bytes)";
        if (rv == AP_FILTER_ERROR) why += "; Apache answered the client with 413";
    } else if (APR_STATUS_IS_TIMEUP(rv)) {
        why = "the client sent nothing for the Timeout";
    } else if (rv == AP_FILTER_ERROR) {
        why = "Apache's input filters refused it (malformed framing) and answered the client";
    } else if (APR_STATUS_IS_EOF(rv) || rv == APR_ECONNABORTED || r_->connection->aborted) {
        why = "the client closed the connection";
    } else {
        char buf[120];
        why = apr_strerror(rv, buf, sizeof buf);
    }
    const char* cl = apr_table_get(r_->headers_in, "Content-Length");
    error_ = "request body could not be read after " + std::to_string(total_) + " bytes" +
             (cl ? std::string(" of Content-Length ") + std::string(cl).substr(0, 20) : std::string()) + ": " + why;
    log_line(LogTarget::of(r_), APLOG_INFO, "WSGIS0401", error_);
}

// ---- the request ---------------------------------------------------------

ApacheTransport::ApacheTransport(request_rec* r)
    : r_(r), body_(r), bb_(apr_brigade_create(r->pool, r->connection->bucket_alloc))
{
}

namespace {

// The request's mod_wsgi.* variables that mod_wsgi 5 puts in the CGI
// environment (so daemon processes get them with the rest): the mount as
// computed here, the listener, the request's start and log ids, the
// settings. Strings, as in mod_wsgi.
void add_mod_wsgi_vars(request_rec* r)
{
    apr_table_t* e = r->subprocess_env;
    conn_rec* c = r->connection;
    const char* script_name = apr_table_get(e, "SCRIPT_NAME");
    const char* path_info = apr_table_get(e, "PATH_INFO");
    apr_table_setn(e, "mod_wsgi.script_name", script_name ? script_name : "");
    apr_table_setn(e, "mod_wsgi.path_info", path_info ? path_info : "");
    apr_table_setn(e, "mod_wsgi.listener_host", c->local_addr && c->local_addr->hostname ? c->local_addr->hostname : "");
    apr_table_setn(e, "mod_wsgi.listener_port", apr_psprintf(r->pool, "%d", c->local_addr ? c->local_addr->port : 0));
    const DirConfig* d = dir_config(r);
    const auto* core = static_cast<const core_dir_config*>(ap_get_core_module_config(r->per_dir_config));
    bool sendfile = d->enable_sendfile == kUnset ? core->enable_sendfile == ENABLE_SENDFILE_ON : d->enable_sendfile == 1;
    apr_table_setn(e, "mod_wsgi.enable_sendfile", sendfile ? "1" : "0");
    apr_table_setn(e, "mod_wsgi.ignore_activity", ignore_activity_of(d) ? "1" : "0");
    apr_table_setn(e, "mod_wsgi.request_start", apr_psprintf(r->pool, "%" APR_TIME_T_FMT, r->request_time));
    if (!r->log_id) ap_run_generate_log_id(c, r, &r->log_id);
    if (r->log_id) apr_table_setn(e, "mod_wsgi.request_id", r->log_id);
    if (c->log_id) apr_table_setn(e, "mod_wsgi.connection_id", c->log_id);
}

}  // namespace

void ApacheTransport::add_cgi_vars(bool pass_authorization)
{
    ap_add_common_vars(r_);
    ap_add_cgi_vars(r_);
    const char* auth = pass_authorization ? apr_table_get(r_->headers_in, "Authorization") : nullptr;
    if (auth)
        apr_table_setn(r_->subprocess_env, "HTTP_AUTHORIZATION", auth);
    else if (!pass_authorization)
        apr_table_unset(r_->subprocess_env, "HTTP_AUTHORIZATION");
    add_mod_wsgi_vars(r_);
}

bool ApacheTransport::https()
{
    if (https_override_ >= 0) return https_override_ == 1;
    const char* scheme = ap_http_scheme(r_);
    return scheme && strcmp(scheme, "https") == 0;
}

int ApacheTransport::body_status()
{
    int st = body_.failed_status();
    return st == AP_FILTER_ERROR ? kAnswered : st;
}

// ---- the response --------------------------------------------------------

void ApacheTransport::set_head(int status, const char* status_line, const ResponseHeader* h, int count)
{
    r_->status = status;
    r_->status_line = status_line;
    for (int i = 0; i < count; ++i) {
        if (strcasecmp(h[i].name, "Content-Type") == 0)
            ap_set_content_type(r_, h[i].value);
        else if (strcasecmp(h[i].name, "Content-Length") == 0)
            apr_table_setn(r_->headers_out, "Content-Length", h[i].value);
        else
            apr_table_addn(r_->headers_out, h[i].name, h[i].value);
    }
}

void ApacheTransport::append(const char* data, apr_size_t len)
{
    APR_BRIGADE_INSERT_TAIL(bb_, apr_bucket_transient_create(data, len, bb_->bucket_alloc));
}

namespace {
apr_status_t close_file(void* f) { return apr_file_close(static_cast<apr_file_t*>(f)); }
}  // namespace

// As a file bucket, the way Apache's own file serving sends a file:
// sendfile only under WSGIEnableSendfile On (when it is not given, under
// Apache's EnableSendfile On), no mmap under EnableMMAP Off.
bool ApacheTransport::append_file(int fd, apr_off_t offset, apr_off_t len)
{
    int copy = dup(fd);
    if (copy < 0) return false;
    apr_file_t* file = nullptr;
    const auto* core = static_cast<const core_dir_config*>(ap_get_core_module_config(r_->per_dir_config));
    int wsgi = dir_config(r_)->enable_sendfile;
    apr_int32_t sendfile = wsgi == kUnset ? AP_SENDFILE_ENABLED(core->enable_sendfile) : wsgi == 1 ? APR_SENDFILE_ENABLED : 0;
    apr_os_file_put(&file, &copy, APR_FOPEN_READ | sendfile, r_->pool);
    apr_pool_cleanup_register(r_->pool, file, close_file, apr_pool_cleanup_null);
    apr_bucket* first = APR_BRIGADE_LAST(bb_);
    apr_bucket* last = apr_brigade_insert_file(bb_, file, offset, len, r_->pool);
    if (core->enable_mmap == ENABLE_MMAP_OFF) {
        apr_bucket* b = first == APR_BRIGADE_SENTINEL(bb_) ? APR_BRIGADE_FIRST(bb_) : APR_BUCKET_NEXT(first);
        for (; b != APR_BRIGADE_SENTINEL(bb_); b = APR_BUCKET_NEXT(b)) {
            if (APR_BUCKET_IS_FILE(b)) apr_bucket_file_enable_mmap(b, 0);
            if (b == last) break;
        }
    }
    return true;
}

bool ApacheTransport::pass()
{
    apr_status_t rv = ap_pass_brigade(r_->output_filters, bb_);
    apr_brigade_cleanup(bb_);
    if (rv != APR_SUCCESS || r_->connection->aborted) gone_ = true;
    return !gone_;
}

bool ApacheTransport::flush()
{
    APR_BRIGADE_INSERT_TAIL(bb_, apr_bucket_flush_create(bb_->bucket_alloc));
    return pass();
}

void ApacheTransport::end(bool complete)
{
    if (!complete) {
        // No final chunk and the connection closed: the client must not take
        // what it got for a whole response.
        r_->connection->keepalive = AP_CONN_CLOSE;
        APR_BRIGADE_INSERT_TAIL(bb_, ap_bucket_error_create(HTTP_BAD_GATEWAY, nullptr, r_->pool, bb_->bucket_alloc));
    }
    APR_BRIGADE_INSERT_TAIL(bb_, apr_bucket_eos_create(bb_->bucket_alloc));
    pass();
}

}  // namespace wsgi
