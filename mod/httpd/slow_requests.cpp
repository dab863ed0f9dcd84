// slow_requests.cpp - see slow_requests.h.
#include "httpd/slow_requests.h"

#include "base/boundary.h"
#include "httpd/python_config.h"

namespace wsgi {

namespace {

bool wsgi_request(const request_rec* r)
{
    return r->handler && (strcmp(r->handler, "wsgi-script") == 0 || strcmp(r->handler, "application/x-httpd-wsgi") == 0);
}

int log_transaction(request_rec* r)
{
    return hook_entry(r, DECLINED, [r] {
        const PythonSettings& s = python_settings(r->server->process->pconf);
        if (s.slow_requests < 0 || !wsgi_request(r)) return DECLINED;
        // The main request (internal redirects end in it), once.
        const request_rec* last = r;
        while (last->next) last = last->next;
        double took = static_cast<double>(apr_time_now() - r->request_time) / APR_USEC_PER_SEC;
        if (took <= s.slow_requests) return DECLINED;
        log_fmt(LogTarget::of(r), APLOG_WARNING, "WSGIS0905",
                "slow request: %s %s took %.3f s (WSGISlowRequests %g s); status %d, script '%s'",
                r->method ? r->method : "-", r->unparsed_uri ? r->unparsed_uri : "-", took, s.slow_requests,
                last->status, r->filename ? r->filename : "-");
        return DECLINED;
    });
}

}  // namespace

void register_slow_request_hook()
{
    ap_hook_log_transaction(log_transaction, nullptr, nullptr, APR_HOOK_MIDDLE);
}

}  // namespace wsgi
