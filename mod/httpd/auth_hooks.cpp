// auth_hooks.cpp - see auth_hooks.h.
#include "httpd/auth_hooks.h"

#include "base/boundary.h"
#include "core/hook_rules.h"
#include "features/auth_hooks.h"
#include "features/pickle_diagnostics.h"
#include "httpd/apache_transport.h"
#include "httpd/config.h"
#include "httpd/hooks.h"
#include "pipeline/request_scope.h"

#include <ap_provider.h>
#include <apr_lib.h>
#include <http_main.h>
#include <mod_auth.h>

#include <string>
#include <vector>

namespace wsgi {

namespace {

using auth_hooks::HookCall;
using auth_hooks::Verdict;

constexpr char kAccess[] = "WSGIAccessScript";
constexpr char kAuthUser[] = "WSGIAuthUserScript";
constexpr char kAuthGroup[] = "WSGIAuthGroupScript";

// The request line's URI as the client sent it (what mod_wsgi and httpd's
// CGI variables call REQUEST_URI).
const char* original_uri(request_rec* r)
{
    if (!r->the_request) return "";
    const char* first = r->the_request;
    while (*first && !apr_isspace(*first)) ++first;
    while (apr_isspace(*first)) ++first;
    const char* last = first;
    while (*last && !apr_isspace(*last)) ++last;
    return apr_pstrmemdup(r->pool, first, static_cast<apr_size_t>(last - first));
}

// The environ's CGI part for a hook, the variables mod_wsgi gives its hooks
// and in its order: the request headers as HTTP_* (never Authorization or
// Proxy-Authorization, nor the httpoxy-prone Proxy), the server, the client,
// the request line. Not r->subprocess_env: SetEnv values (possibly from a
// .htaccess) do not reach a hook. Without the GIL; in r->pool.
const apr_table_t* hook_variables(request_rec* r)
{
    apr_table_t* t = apr_table_make(r->pool, 32);
    const apr_array_header_t* arr = apr_table_elts(r->headers_in);
    const auto* h = reinterpret_cast<const apr_table_entry_t*>(arr->elts);
    for (int i = 0; i < arr->nelts; ++i) {
        if (!h[i].key || !h[i].val) continue;
        if (!strcasecmp(h[i].key, "Content-Type")) {
            apr_table_setn(t, "CONTENT_TYPE", h[i].val);
        } else if (!strcasecmp(h[i].key, "Content-Length")) {
            apr_table_setn(t, "CONTENT_LENGTH", h[i].val);
        } else if (strcasecmp(h[i].key, "Authorization") && strcasecmp(h[i].key, "Proxy-Authorization") &&
                   strcasecmp(h[i].key, "Proxy")) {
            std::string name = hook_header_env_name(h[i].key);
            if (!name.empty()) apr_table_setn(t, apr_pstrmemdup(r->pool, name.data(), name.size()), h[i].val);
        }
    }
    conn_rec* c = r->connection;
    apr_table_setn(t, "SERVER_SIGNATURE", ap_psignature("", r));
    apr_table_setn(t, "SERVER_SOFTWARE", ap_get_server_banner());
    apr_table_setn(t, "SERVER_NAME", ap_escape_html(r->pool, ap_get_server_name(r)));
    if (c->local_ip) apr_table_setn(t, "SERVER_ADDR", c->local_ip);
    apr_table_setn(t, "SERVER_PORT", apr_psprintf(r->pool, "%u", ap_get_server_port(r)));
    if (const char* host = ap_get_remote_host(c, r->per_dir_config, REMOTE_HOST, nullptr))
        apr_table_setn(t, "REMOTE_HOST", host);
    if (r->useragent_ip) apr_table_setn(t, "REMOTE_ADDR", r->useragent_ip);
    apr_table_setn(t, "DOCUMENT_ROOT", ap_document_root(r));
    if (r->server->server_admin) apr_table_setn(t, "SERVER_ADMIN", r->server->server_admin);
    if (c->client_addr) apr_table_setn(t, "REMOTE_PORT", apr_itoa(r->pool, c->client_addr->port));
    apr_table_setn(t, "SERVER_PROTOCOL", r->protocol ? r->protocol : "");
    apr_table_setn(t, "REQUEST_METHOD", r->method ? r->method : "");
    apr_table_setn(t, "QUERY_STRING", r->args ? r->args : "");
    apr_table_setn(t, "REQUEST_URI", original_uri(r));
    const char* uri = r->uri ? r->uri : "";
    if ((r->protocol && !strcmp(r->protocol, "INCLUDED")) || !r->path_info || !*r->path_info) {
        apr_table_setn(t, "SCRIPT_NAME", uri);
        apr_table_setn(t, "PATH_INFO", r->path_info ? r->path_info : "");
    } else {
        int start = ap_find_path_info(uri, r->path_info);
        apr_table_setn(t, "SCRIPT_NAME", apr_pstrndup(r->pool, uri, static_cast<apr_size_t>(start)));
        apr_table_setn(t, "PATH_INFO", r->path_info);
    }
    return t;
}

// A client-supplied name for a log line: escaped, and cut at 200 bytes.
const char* loggable(request_rec* r, const char* s)
{
    if (!s) return "";
    const char* e = ap_escape_logitem(r->pool, s);
    return strlen(e) > 200 ? apr_pstrcat(r->pool, apr_pstrndup(r->pool, e, 200), "...", nullptr) : e;
}

// Everything a hook needs before Python: the script's file (stat()ed here,
// without the GIL), its interpreter, the environ's variables. false, with
// the reason logged, when the hook cannot run.
bool prepare(request_rec* r, const HookScript* script, const char* directive, const char* provider, HookCall* call,
             Interpreter** in)
{
    LogTarget log = LogTarget::of(r);
    apr_time_t seen = apr_time_now();
    apr_finfo_t fi;
    apr_status_t rv = apr_stat(&fi, script->path, APR_FINFO_MTIME | APR_FINFO_TYPE, r->pool);
    if (rv != APR_SUCCESS || fi.filetype != APR_REG) {
        char buf[120];
        log_fmt(log, APLOG_ERR, "WSGIS0701", "Unable to stat Python script file '%s' (%s at %s) for '%s': %s",
                script->path, directive, script->defined_in, r->uri,
                rv != APR_SUCCESS ? apr_strerror(rv, buf, sizeof buf) : "not a regular file");
        return false;
    }
    Runtime* rt = Runtime::current();
    if (!rt) {
        log_fmt(log, APLOG_ERR, "WSGIS0705",
                "%s '%s' cannot run: Python is not started in this Apache child (%s)", directive, script->path,
                restrict_embedded_of(server_config(ap_server_conf))
                    ? "WSGIRestrictEmbedded On, and the script is named only in a .htaccess file"
                    : "see the start-up errors above");
        return false;
    }
    call->directive = directive;
    call->provider = provider;
    call->app_group = hook_group_name(script->app_group, server_group_of(r));
    *in = rt->interpreter(call->app_group);
    if (!*in) return false;  // the runtime logged why
    call->variables = hook_variables(r);
    call->apache_version[0] = AP_SERVER_MAJORVERSION_NUMBER;
    call->apache_version[1] = AP_SERVER_MINORVERSION_NUMBER;
    call->apache_version[2] = AP_SERVER_PATCHLEVEL_NUMBER;
    if (pass_apache_request_of(dir_config(r))) call->apache_request = r;  // as mod_wsgi's hooks
    call->load.path = script->path;
    call->load.mtime = fi.mtime;
    call->load.seen_at = seen;
    call->load.reloading = reloading_of(dir_config(r));
    call->load.case_sensitive = case_sensitive_of(server_config(ap_server_conf));
    call->load.log = log;
    return true;
}

// Runs fn() in the interpreter, the request current for what Python logs.
template <class F>
Verdict in_python(request_rec* r, Interpreter* in, F&& fn)
{
    ApacheTransport transport(r);
    RequestScope current(transport);
    InterpreterScope gil(in);
    if (pickle_diagnostics_of(server_config(r->server))) pickle_diagnostics::ensure_installed(in, r->server);
    return fn();
}

// mod_wsgi's words, then which provider was used where.
void no_script(request_rec* r, const char* what, const char* directive)
{
    log_fmt(LogTarget::of(r), APLOG_ERR, "WSGIS0706",
            "Location of WSGI %s script not provided: %s is in force for '%s', but no %s applies there",
            directive == kAuthGroup ? "group authorization" : "user authentication", what, r->uri, directive);
}

// ---- AuthBasicProvider wsgi / AuthDigestProvider wsgi ----------------------

authn_status check_password(request_rec* r, const char* user, const char* password)
{
    return static_cast<authn_status>(hook_entry(r, AUTH_GENERAL_ERROR, [&]() -> int {
        const HookScript* script = dir_config(r)->auth_user_script;
        if (!script) {
            no_script(r, "AuthBasicProvider wsgi", kAuthUser);
            return AUTH_GENERAL_ERROR;
        }
        HookCall call;
        Interpreter* in = nullptr;
        if (!prepare(r, script, kAuthUser, "AuthBasicProvider wsgi", &call, &in)) return AUTH_GENERAL_ERROR;
        std::string new_user;
        Verdict v = in_python(r, in, [&] { return auth_hooks::check_password(in, call, user, password, &new_user); });
        switch (v) {
        case Verdict::granted:
            if (!new_user.empty()) r->user = apr_pstrmemdup(r->pool, new_user.data(), new_user.size());
            return AUTH_GRANTED;
        case Verdict::denied: return AUTH_DENIED;
        case Verdict::unknown: return AUTH_USER_NOT_FOUND;
        case Verdict::error: break;
        }
        return AUTH_GENERAL_ERROR;
    }));
}

authn_status get_realm_hash(request_rec* r, const char* user, const char* realm, char** rethash)
{
    return static_cast<authn_status>(hook_entry(r, AUTH_GENERAL_ERROR, [&]() -> int {
        const HookScript* script = dir_config(r)->auth_user_script;
        if (!script) {
            no_script(r, "AuthDigestProvider wsgi", kAuthUser);
            return AUTH_GENERAL_ERROR;
        }
        HookCall call;
        Interpreter* in = nullptr;
        if (!prepare(r, script, kAuthUser, "AuthDigestProvider wsgi", &call, &in)) return AUTH_GENERAL_ERROR;
        std::string hash;
        Verdict v = in_python(r, in, [&] { return auth_hooks::get_realm_hash(in, call, user, realm, &hash); });
        switch (v) {
        case Verdict::granted: *rethash = apr_pstrmemdup(r->pool, hash.data(), hash.size()); return AUTH_USER_FOUND;
        case Verdict::unknown: return AUTH_USER_NOT_FOUND;
        case Verdict::denied:
        case Verdict::error: break;
        }
        return AUTH_GENERAL_ERROR;
    }));
}

// ---- Require wsgi-group NAME... ---------------------------------------------

authz_status check_group(request_rec* r, const char* require_args, const void*)
{
    if (!r->user) return AUTHZ_DENIED_NO_USER;
    return static_cast<authz_status>(hook_entry(r, AUTHZ_GENERAL_ERROR, [&]() -> int {
        const HookScript* script = dir_config(r)->auth_group_script;
        if (!script) {
            no_script(r, "Require wsgi-group", kAuthGroup);
            return AUTHZ_GENERAL_ERROR;
        }
        HookCall call;
        Interpreter* in = nullptr;
        if (!prepare(r, script, kAuthGroup, "Require wsgi-group", &call, &in)) return AUTHZ_GENERAL_ERROR;
        std::vector<std::string> groups;
        Verdict v = in_python(r, in, [&] { return auth_hooks::groups_for_user(in, call, r->user, &groups); });
        if (v != Verdict::granted) return AUTHZ_GENERAL_ERROR;
        // Group names compare without regard to case, as in mod_wsgi and
        // httpd's own Require group (mod_authz_groupfile).
        const char* t = require_args;
        while (const char* w = ap_getword_conf(r->pool, &t)) {
            if (!*w) break;
            for (const std::string& g : groups)
                if (g.size() == strlen(w) && !strncasecmp(g.data(), w, g.size())) return AUTHZ_GRANTED;
        }
        log_fmt(LogTarget::of(r), APLOG_INFO, "WSGIS0708",
                "Authorization of user '%s' to access '%s' failed. User is not a member of %s (Require wsgi-group "
                "%s; groups_for_user() of '%s' gave %zu group(s))",
                loggable(r, r->user), r->uri, groups.empty() ? "any groups" : "designated groups", require_args,
                script->path, groups.size());
        return AUTHZ_DENIED;
    }));
}

// ---- WSGIAccessScript: the access_checker phase -----------------------------

int access_checker(request_rec* r)
{
    return hook_entry(r, HTTP_INTERNAL_SERVER_ERROR, [r]() -> int {
        const HookScript* script = dir_config(r)->access_script;
        if (!script) return DECLINED;
        const char* host = ap_get_remote_host(r->connection, r->per_dir_config, REMOTE_HOST, nullptr);
        if (!host) host = r->useragent_ip;
        HookCall call;
        Interpreter* in = nullptr;
        if (!prepare(r, script, kAccess, "the host access check", &call, &in)) return HTTP_INTERNAL_SERVER_ERROR;
        Verdict v = in_python(r, in, [&] { return auth_hooks::allow_access(in, call, host); });
        switch (v) {
        case Verdict::granted: return OK;
        case Verdict::unknown: return DECLINED;
        case Verdict::denied:
            log_fmt(LogTarget::of(r), APLOG_ERR, "WSGIS0707",
                    "Client denied by server configuration: '%s' (allow_access() of %s '%s' returned False for "
                    "host '%s')",
                    r->filename ? r->filename : r->uri, kAccess, script->path, loggable(r, host));
            return HTTP_FORBIDDEN;
        case Verdict::error: break;
        }
        return HTTP_INTERNAL_SERVER_ERROR;
    });
}

}  // namespace

void register_auth_hooks(apr_pool_t* p)
{
    static const authn_provider authn = {&check_password, &get_realm_hash};
    static const authz_provider authz = {&check_group, nullptr};
    ap_register_auth_provider(p, AUTHN_PROVIDER_GROUP, "wsgi", AUTHN_PROVIDER_VERSION, &authn,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "wsgi-group", AUTHZ_PROVIDER_VERSION, &authz,
                              AP_AUTH_INTERNAL_PER_CONF);
    // As mod_wsgi: after mod_ssl (its SSLRequire), before mod_authz_host.
    static const char* const before_us[] = {"mod_ssl.c", nullptr};
    static const char* const after_us[] = {"mod_authz_host.c", nullptr};
    ap_hook_check_access(access_checker, before_us, after_us, APR_HOOK_MIDDLE, AP_AUTH_INTERNAL_PER_CONF);
}

}  // namespace wsgi
