// proxy_headers.h - WSGITrustedProxyHeaders and WSGITrustedProxies applied
// to a request's CGI variables (the rules: core/proxy_rules.h).
#pragma once

#include "httpd/apache_transport.h"

namespace wsgi {

// Rewrites r->subprocess_env as the request's trusted proxy headers say
// (REMOTE_ADDR, HTTP_HOST, SERVER_NAME, SERVER_PORT, SCRIPT_NAME and
// mod_wsgi.mount_point, HTTPS) and removes the headers of those kinds that
// are not trusted; tells the transport the scheme when a trusted header
// decided it. Call after ApacheTransport::add_cgi_vars() and before the
// environ is built or the request is forwarded to a daemon process, so
// both modes see the same. No GIL needed; allocates in r->pool.
void apply_trusted_proxy_headers(request_rec* r, ApacheTransport& transport);

}  // namespace wsgi
