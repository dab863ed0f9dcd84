// proxy_headers.cpp - see proxy_headers.h.
#include "httpd/proxy_headers.h"

#include "core/proxy_rules.h"
#include "httpd/config.h"

#include <string>

namespace wsgi {

namespace {

template <typename T>
std::span<const T> items_of(const apr_array_header_t* a)
{
    if (!a) return {};
    return {reinterpret_cast<const T*>(a->elts), static_cast<std::size_t>(a->nelts)};
}

const char* copy(request_rec* r, std::string_view v) { return apr_pstrmemdup(r->pool, v.data(), v.size()); }

// One debug line per request that has trusted proxy headers configured:
// whether the peer is trusted, what changed, what was removed.
void log_rewrite(request_rec* r, const proxy::Rewrite& w, const char* peer)
{
    std::string what = std::string("peer ") + (peer ? peer : "(none)") +
                       (w.peer_trusted ? " is a trusted proxy" : " is not a trusted proxy (WSGITrustedProxies)");
    auto shown = [&](const char* name, const std::optional<std::string_view>& v) {
        if (v) what += std::string("; ") + name + " '" + std::string(v->substr(0, 200)) + "'";
    };
    shown("REMOTE_ADDR", w.remote_addr);
    shown("HTTP_HOST", w.http_host);
    shown("SERVER_NAME", w.server_name);
    shown("SERVER_PORT", w.server_port);
    shown("SCRIPT_NAME", w.script_name);
    if (w.https != proxy::Rewrite::Https::unchanged)
        what += w.https == proxy::Rewrite::Https::on ? "; HTTPS '1'" : "; HTTPS removed";
    std::string removed;
    for (std::size_t i = 0; i < proxy::kHeaders; ++i) {
        auto h = static_cast<proxy::Header>(i);
        if (w.removes(h) && apr_table_get(r->subprocess_env, proxy::info(h).variable))
            removed += std::string(removed.empty() ? "" : ", ") + proxy::info(h).name;
    }
    if (!removed.empty()) what += "; removed " + removed;
    log_line(LogTarget::of(r), APLOG_DEBUG, "WSGIS0802", "trusted proxy headers: " + what);
}

}  // namespace

void apply_trusted_proxy_headers(request_rec* r, ApacheTransport& transport)
{
    const DirConfig* d = dir_config(r);
    if (!d->trusted_proxy_headers) return;
    apr_table_t* env = r->subprocess_env;
    proxy::Proxies proxies{d->trusted_proxies != nullptr, items_of<proxy::Subnet>(d->trusted_proxies)};
    const char* peer = apr_table_get(env, "REMOTE_ADDR");
    proxy::Request q;
    q.remote_addr = peer ? peer : "";
    for (std::size_t i = 0; i < proxy::kHeaders; ++i)
        if (const char* v = apr_table_get(env, proxy::info(static_cast<proxy::Header>(i)).variable)) q.headers[i] = v;
    proxy::Rewrite w = proxy::rewrite(items_of<proxy::Header>(d->trusted_proxy_headers), proxies, q);

    if (APLOG_R_IS_LEVEL(r, APLOG_DEBUG)) log_rewrite(r, w, peer);
    if (w.remote_addr) apr_table_setn(env, "REMOTE_ADDR", copy(r, *w.remote_addr));
    if (w.forwarded_for) apr_table_setn(env, "HTTP_X_FORWARDED_FOR", copy(r, *w.forwarded_for));
    if (w.http_host) apr_table_setn(env, "HTTP_HOST", copy(r, *w.http_host));
    if (w.server_name) apr_table_setn(env, "SERVER_NAME", copy(r, *w.server_name));
    if (w.server_port) apr_table_setn(env, "SERVER_PORT", copy(r, *w.server_port));
    if (w.script_name) {
        const char* v = copy(r, *w.script_name);
        apr_table_setn(env, "mod_wsgi.mount_point", v);
        apr_table_setn(env, "SCRIPT_NAME", v);
    }
    if (w.https == proxy::Rewrite::Https::on)
        apr_table_setn(env, "HTTPS", "1");
    else if (w.https == proxy::Rewrite::Https::off)
        apr_table_unset(env, "HTTPS");
    for (std::size_t i = 0; i < proxy::kHeaders; ++i)
        if (w.removes(static_cast<proxy::Header>(i))) apr_table_unset(env, proxy::info(static_cast<proxy::Header>(i)).variable);
    // As mod_wsgi: with a trusted scheme header the scheme is what HTTPS now
    // says ("on" or "1"), also over a TLS connection.
    if (w.scheme_decided) {
        const char* https = apr_table_get(env, "HTTPS");
        transport.set_https(https && (strcasecmp(https, "on") == 0 || strcmp(https, "1") == 0));
    }
}

}  // namespace wsgi
