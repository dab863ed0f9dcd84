// hooks.cpp - see hooks.h.
#include "httpd/hooks.h"

#include "base/boundary.h"
#include "core/alias_rules.h"
#include "core/fault.h"
#include "core/options.h"
#include "core/wire.h"
#include "daemon/client.h"
#include "features/pickle_diagnostics.h"
#include "features/pickle_resolve.h"
#include "httpd/apache_transport.h"
#include "httpd/config.h"
#include "httpd/proxy_headers.h"
#include "pipeline/application.h"
#include "pipeline/dispatch.h"
#include "pipeline/request_scope.h"

#include <ap_listen.h>
#include <http_main.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <sys/stat.h>

namespace wsgi {

namespace {

constexpr const char* kHandler = "wsgi-script";

const ScriptAlias* alias_of(const request_rec* r)
{
    return static_cast<const ScriptAlias*>(ap_get_module_config(r->request_config, &wsgiscript_module));
}

const char* match_alias(request_rec* r, const ScriptAlias& a)
{
    if (a.regex) {
        ap_regmatch_t m[AP_MAX_REG_MATCH];
        if (ap_regexec(a.regex, r->uri, AP_MAX_REG_MATCH, m, 0) != 0) return nullptr;
        const char* found = ap_pregsub(r->pool, a.target, r->uri, AP_MAX_REG_MATCH, m);
        if (!found) return nullptr;
        return apr_pstrcat(r->pool, found, r->uri + m[0].rm_eo, nullptr);
    }
    long used = mount_match(a.location, r->uri);
    if (used < 0) return nullptr;
    const char* rest = r->uri + used;
    size_t t = strlen(a.target);
    if (*rest && t > 0 && a.target[t - 1] == '/') ++rest;  // "dir/" + "/name"
    return apr_pstrcat(r->pool, a.target, rest, nullptr);
}

int translate_name(request_rec* r)
{
    return hook_entry(r, HTTP_INTERNAL_SERVER_ERROR, [r] {
        WSGIS_FAULT("translate");
        if (!r->uri || r->uri[0] != '/') return DECLINED;
        for (const ScriptAlias& a : aliases_of(server_config(r->server))) {
            const char* found = match_alias(r, a);
            if (!found) continue;
            r->filename = const_cast<char*>(found);
            r->handler = kHandler;
            apr_table_setn(r->notes, "alias-forced-type", kHandler);
            ap_set_module_config(r->request_config, &wsgiscript_module, const_cast<ScriptAlias*>(&a));
            return OK;
        }
        return DECLINED;
    });
}

// A WSGIScriptAlias wins over handlers set for the file by other means.
int fixups(request_rec* r)
{
    if (alias_of(r)) r->handler = kHandler;
    return DECLINED;
}

// %{SERVER}: the server's name and the port the connection came in on, as
// mod_wsgi names it, except that the port is never the one a client writes
// in its Host header (that would let a client create one interpreter per
// port it claims).
std::string server_group_name(const server_rec* s, apr_port_t port)
{
    std::string name = s->server_hostname ? s->server_hostname : "";
    if (port && port != 80 && port != 443) name += ":" + std::to_string(port);
    return name;
}

apr_port_t request_port(const request_rec* r)
{
    const conn_rec* c = r->connection;
    return c && c->local_addr ? c->local_addr->port : r->server->port;
}

apr_port_t server_port(const server_rec* s)
{
    if (s->port) return s->port;
    return ap_listeners && ap_listeners->bind_addr ? ap_listeners->bind_addr->port : 0;
}

// SCRIPT_NAME for %{RESOURCE}. Under a WSGIScriptAlias it comes from the
// configuration (core/alias_rules.h), never from the URL a client wrote;
// otherwise the part of the URL before PATH_INFO, as Apache and mod_wsgi
// compute it.
std::string resource_script_name(const request_rec* r, const ScriptAlias* alias)
{
    if (alias && !alias->regex) return alias_script_name(alias->location, alias->target, r->filename);
    std::string_view uri = r->uri ? r->uri : "";
    if (r->path_info && *r->path_info)
        uri = uri.substr(0, static_cast<size_t>(ap_find_path_info(r->uri, r->path_info)));
    return normalized_script_name(uri);
}

// The bound on interpreters a client can cause: for one script reached
// through one alias (or handler) under one group spec and server, the first
// request-derived group name is kept for the life of the child. Only URL
// spellings the configuration does not pin down (WSGIScriptAliasMatch,
// rewrites in front of the handler) could vary it; they reuse that first
// interpreter instead of creating one per spelling.
class ResourceGroups {
public:
    std::string pin(const std::string& key, std::string name)
    {
        std::lock_guard lock(mutex_);
        auto [it, inserted] = names_.emplace(key, std::move(name));
        return it->second;
    }

private:
    std::mutex mutex_;
    std::map<std::string, std::string> names_;
};

ResourceGroups& resource_groups()
{
    static auto* groups = new ResourceGroups;  // strings only; lives as long as the child
    return *groups;
}

// %{ENV:name}: the request's notes, then its environment, then the process's.
std::optional<std::string> request_env(request_rec* r, std::string_view name)
{
    std::string key(name);
    const char* v = apr_table_get(r->notes, key.c_str());
    if (!v) v = apr_table_get(r->subprocess_env, key.c_str());
    if (!v) v = getenv(key.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
}

std::string group_of(request_rec* r, const char* spec, const ScriptAlias* alias)
{
    if (!strchr(spec, '%')) return spec;
    if (strcmp(spec, "%{GLOBAL}") == 0) return {};
    GroupContext ctx;
    ctx.server = server_group_name(r->server, request_port(r));
    ctx.script_name = resource_script_name(r, alias);
    ctx.env = [r](std::string_view name) { return request_env(r, name); };
    std::string name = expand_application_group(spec, ctx);
    // %{ENV:x} is the configuration's choice; %{RESOURCE} (also as the
    // fallback of an unset %{ENV:x}) carries the URL.
    if (!strstr(spec, "%{RESOURCE}") && name != ctx.server + "|" + ctx.script_name) return name;
    char alias_id[32];
    snprintf(alias_id, sizeof alias_id, "%p", static_cast<const void*>(alias));
    std::string key = ctx.server + '\n' + r->filename + '\n' + alias_id + '\n' + spec;
    return resource_groups().pin(key, std::move(name));
}

// The pipeline's status to Apache's: 0 (answered), an HTTP status, or a
// filter that answered the client itself.
int apache_status(int status)
{
    if (status == 0) return OK;
    return status == Transport::kAnswered ? AP_FILTER_ERROR : status;
}

// The process group a request goes to: "" for embedded mode.
std::string process_group_for(request_rec* r, const char* spec)
{
    std::string_view v = spec;
    if (v.empty() || v == "%{GLOBAL}") return {};
    if (v.starts_with("%{ENV:") && v.ends_with("}")) {
        // The variable's value is taken as WSGIProcessGroup takes a value
        // (mod_wsgi): %{GLOBAL} there means embedded too.
        std::string value = request_env(r, v.substr(6, v.size() - 7)).value_or("");
        return value == "%{GLOBAL}" ? std::string() : value;
    }
    return std::string(v);
}

std::uint8_t forward_flags(request_rec* r, const RequestSettings& rs, ApacheTransport& t, const ServerConfig* sc,
                           const DirConfig* d)
{
    std::uint8_t flags = 0;
    if (ignore_activity_of(d)) flags |= wire::kIgnoreActivity;
    if (rs.reloading) flags |= wire::kReloading;
    if (rs.pass_authorization) flags |= wire::kPassAuthorization;
    if (t.https()) flags |= wire::kHttps;
    if (r->header_only) flags |= wire::kHeadOnly;
    if (pickle_diagnostics_of(sc)) flags |= wire::kPickleDiagnostics;
    if (pickle_resolve_of(sc)) flags |= wire::kPickleResolve;
    return flags;
}

// WSGIRestrictProcess: the request's process group ("" for embedded,
// written %{GLOBAL}) must be one of those listed; else 500, as mod_wsgi.
int check_restrict_process(request_rec* r, const DirConfig* d, const std::string& group)
{
    if (!d->restrict_process) return OK;
    const auto* names = reinterpret_cast<const char* const*>(d->restrict_process->elts);
    for (int i = 0; i < d->restrict_process->nelts; ++i) {
        const char* n = strcmp(names[i], "%{GLOBAL}") == 0 ? "" : names[i];
        if (group == n) return OK;
    }
    log_fmt(LogTarget::of(r), APLOG_ERR, "WSGIS0616",
            "Daemon process called '%s' cannot be accessed by this WSGI application as not a member of allowed "
            "groups (WSGIRestrictProcess): '%s' is not run",
            group.empty() ? "%{GLOBAL}" : group.c_str(), r->filename);
    return HTTP_INTERNAL_SERVER_ERROR;
}

// script-user= / script-group=: a script delegated to the group must have
// that owner (or group), else 403 (as mod_wsgi).
int check_script_owner(request_rec* r, const char* script, const DaemonGroup& g)
{
    struct stat st;
    if (stat(script, &st) != 0) return HTTP_NOT_FOUND;
    bool ok = g.options.script_user.empty() ? st.st_gid == g.script_gid : st.st_uid == g.script_uid;
    if (ok) return OK;
    log_fmt(LogTarget::of(r), APLOG_ERR, "WSGIS0613",
            "'%s' (owner uid %u, gid %u) does not have the %s '%s' that daemon process group '%s' requires: "
            "answered 403",
            script, static_cast<unsigned>(st.st_uid), static_cast<unsigned>(st.st_gid),
            g.options.script_user.empty() ? "group" : "owner",
            g.options.script_user.empty() ? g.options.script_group.c_str() : g.options.script_user.c_str(),
            g.options.name.c_str());
    return HTTP_FORBIDDEN;
}

// response-socket-timeout= (else socket-timeout=): the longest a write to
// the HTTP client may block while a daemon's response is relayed. The
// connection's own timeout is put back afterwards.
class ClientWriteTimeout {
public:
    ClientWriteTimeout(request_rec* r, const DaemonOptions& o)
    {
        int seconds = o.response_socket_timeout > 0 ? o.response_socket_timeout : o.socket_timeout;
        if (seconds <= 0) return;
        sock_ = ap_get_conn_socket(r->connection);
        if (!sock_ || apr_socket_timeout_get(sock_, &saved_) != APR_SUCCESS) {
            sock_ = nullptr;
            return;
        }
        apr_socket_timeout_set(sock_, apr_time_from_sec(seconds));
    }
    ~ClientWriteTimeout()
    {
        if (sock_) apr_socket_timeout_set(sock_, saved_);
    }
    ClientWriteTimeout(const ClientWriteTimeout&) = delete;
    ClientWriteTimeout& operator=(const ClientWriteTimeout&) = delete;

private:
    apr_socket_t* sock_ = nullptr;
    apr_interval_time_t saved_ = 0;
};

// What one request runs: the script, its callable, its groups (as the
// configuration gives them, then a WSGIDispatchScript may change them).
struct Target {
    const char* script = nullptr;
    apr_time_t mtime = 0;  // the script's (0: stat it when loading)
    const char* callable = nullptr;
    std::string process_group;  // expanded: "" is embedded
    std::string app_group;      // expanded
    bool pass_authorization = false;
};

// The request's target: a WSGIHandlerScript's script for its handler, else
// the file the URL mapped to.
int find_target(request_rec* r, const DirConfig* d, const HandlerScript* hs, Target* tg)
{
    const ScriptAlias* alias = alias_of(r);
    LogTarget log = LogTarget::of(r);
    if (hs) {
        // As mod_wsgi: the handler script serves whatever the URL mapped to
        // (r->filename need not exist; it is SCRIPT_FILENAME).
        apr_finfo_t fi;
        tg->script = hs->path;
        tg->mtime = apr_stat(&fi, hs->path, APR_FINFO_MTIME, r->pool) == APR_SUCCESS ? fi.mtime : 0;
        tg->callable = "handle_request";
        tg->process_group = process_group_for(r, hs->process_group ? hs->process_group : process_group_of(d));
        tg->app_group = group_of(r, hs->app_group ? hs->app_group : app_group_of(d), nullptr);
        tg->pass_authorization =
            hs->pass_authorization != kUnset ? hs->pass_authorization == 1 : pass_authorization_of(d);
        return OK;
    }
    if (r->finfo.filetype == APR_NOFILE) {
        log_line(log, APLOG_ERR, "WSGIS0106", std::string("Target WSGI script not found or unable to stat: ") + r->filename);
        return HTTP_NOT_FOUND;
    }
    if (r->finfo.filetype == APR_DIR) {
        log_line(log, APLOG_ERR, "WSGIS0112",
                 std::string("Attempt to invoke directory as WSGI application: ") + r->filename);
        return HTTP_FORBIDDEN;
    }
    if (!alias && !(ap_allow_options(r) & OPT_EXECCGI)) {
        log_line(log, APLOG_ERR, "WSGIS0107", std::string("Options ExecCGI is off in this directory: ") + r->filename);
        return HTTP_FORBIDDEN;
    }
    tg->script = r->filename;
    tg->mtime = r->finfo.mtime;
    tg->callable = alias && alias->callable ? alias->callable : callable_of(d);
    tg->process_group = process_group_for(r, alias && alias->process_group ? alias->process_group : process_group_of(d));
    tg->app_group = group_of(r, alias && alias->app_group ? alias->app_group : app_group_of(d), alias);
    tg->pass_authorization =
        alias && alias->pass_authorization != kUnset ? alias->pass_authorization == 1 : pass_authorization_of(d);
    return OK;
}

// WSGIDispatchScript: its answers replace the target's groups and callable,
// expanded as the directives' values are (as mod_wsgi).
int dispatch(request_rec* r, const DispatchScript& ds, ApacheTransport& t, Target* tg)
{
    Runtime* rt = Runtime::current();
    if (!rt) {
        log_line(LogTarget::of(r), APLOG_ERR, "WSGIS0004",
                 "Python is not available in this Apache child for the WSGIDispatchScript (see the startup errors above)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    Interpreter* in = rt->interpreter(ds.app_group ? static_group_name(r->server, ds.app_group) : std::string());
    if (!in) return HTTP_INTERNAL_SERVER_ERROR;
    DispatchDecision decision;
    {
        RequestScope current(t);
        InterpreterScope gil(in);
        ScriptLoad load;
        load.path = ds.path;
        load.seen_at = r->request_time;
        load.reloading = reloading_of(dir_config(r));
        load.case_sensitive = case_sensitive_of(server_config(ap_server_conf));
        load.log = LogTarget::of(r);
        if (int st = run_dispatch(in, t, load, &decision); st != 0) return st;
    }
    if (decision.process_group) tg->process_group = process_group_for(r, decision.process_group->c_str());
    if (decision.application_group)
        tg->app_group = group_of(r, apr_pstrdup(r->pool, decision.application_group->c_str()), alias_of(r));
    if (decision.callable_object) tg->callable = apr_pstrdup(r->pool, decision.callable_object->c_str());
    return OK;
}

int serve(request_rec* r, const HandlerScript* hs)
{
    LogTarget log = LogTarget::of(r);
    const DirConfig* d = dir_config(r);
    const ServerConfig* sc = server_config(r->server);
    const ServerConfig* main_sc = server_config(ap_server_conf);
    Target tg;
    if (int st = find_target(r, d, hs, &tg); st != OK) return st;

    // WSGIChunkedRequest Off (the default, as mod_wsgi): a body without a
    // length is refused before anything runs.
    if (apr_table_get(r->headers_in, "Transfer-Encoding") && !chunked_request_of(d)) {
        log_fmt(log, APLOG_ERR, "WSGIS0409",
                "Received request requiring chunked transfer encoding, but optional support for chunked transfer "
                "encoding has not been enabled (WSGIChunkedRequest): answered 411 without running '%s'",
                r->filename);
        return HTTP_LENGTH_REQUIRED;
    }
    // Before any Python: the body's framing and LimitRequestBody against its
    // Content-Length (413 without running the application, as mod_wsgi),
    // and the CGI variables, whose PATH_TRANSLATED is a sub-request.
    if (int st = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK); st != OK) {
        const char* cl = apr_table_get(r->headers_in, "Content-Length");
        if (st == HTTP_REQUEST_ENTITY_TOO_LARGE && cl)
            log_fmt(log, APLOG_INFO, "WSGIS0407",
                    "request body of %.20s bytes is larger than LimitRequestBody (%" APR_OFF_T_FMT
                    " bytes): answered 413 without running '%s'",
                    cl, ap_get_limit_req_body(r), r->filename);
        return st;
    }
    ApacheTransport transport(r);
    transport.add_cgi_vars(tg.pass_authorization);
    // As mod_wsgi: the handler that runs (wsgi-script, or a WSGIHandlerScript's
    // name) and that handler's script ('' for wsgi-script).
    apr_table_setn(r->subprocess_env, "mod_wsgi.request_handler", r->handler);
    apr_table_setn(r->subprocess_env, "mod_wsgi.handler_script", hs ? hs->path : "");
    apply_trusted_proxy_headers(r, transport);  // before forwarding: both modes see the same
    // WSGIMapHEADToGET: On always, Auto when an output filter that may need
    // the whole response (a content filter: deflate, substitute...) is on.
    if (r->header_only) {
        int map = map_head_to_get_of(d);
        if (map == 1 || (map == 2 && r->output_filters->frec->ftype < AP_FTYPE_PROTOCOL))
            apr_table_setn(r->subprocess_env, "REQUEST_METHOD", "GET");
    }
    if (d->dispatch)
        if (int st = dispatch(r, *d->dispatch, transport, &tg); st != OK) return st;

    if (int st = check_restrict_process(r, d, tg.process_group); st != OK) return st;
    const DaemonSet& daemons = daemon_set(r->server->process->pconf);
    const DaemonGroup* daemon = nullptr;
    if (!tg.process_group.empty()) {
        daemon = find_daemon_group(daemons, tg.process_group.c_str(), r->server, ap_server_conf);
        if (!daemon) {
            log_fmt(log, APLOG_ERR, "WSGIS0608",
                    "no WSGIDaemonProcess named '%s' serves this server (%s): '%s' is not run", tg.process_group.c_str(),
                    r->server->server_hostname ? r->server->server_hostname : "?", tg.script);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if (daemon->script_owner)
            if (int st = check_script_owner(r, tg.script, *daemon); st != OK) return st;
    } else if (restrict_embedded_of(main_sc)) {
        log_fmt(log, APLOG_ERR, "WSGIS0609",
                "WSGIRestrictEmbedded On: '%s' is not delegated to a daemon process group (WSGIProcessGroup)",
                tg.script);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    Runtime* rt = Runtime::current();
    if (!daemon && !rt) {
        log_line(log, APLOG_ERR, "WSGIS0004", "Python is not available in this Apache child (see the startup errors above)");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    RequestSettings rs;
    rs.script_path = tg.script;
    rs.callable = tg.callable;
    rs.app_group = tg.app_group;
    rs.reloading = reloading_of(d);
    rs.pass_authorization = tg.pass_authorization;
    if (!daemon && pass_apache_request_of(d)) rs.apache_request = r;
    WSGIS_FAULT("handler");

    if (daemon) {
        ForwardRequest q;
        q.script_path = tg.script;
        q.callable = rs.callable;
        q.app_group = rs.app_group.c_str();
        q.flags = forward_flags(r, rs, transport, sc, d);
        q.mtime = tg.mtime;
        q.request_time = r->request_time;
        q.timeout_ms = static_cast<int>(apr_time_as_msec(r->server->timeout));
        q.error_override = error_override_of(d);
        ClientWriteTimeout write_timeout(r, daemon->options);
        return apache_status(forward_request(transport, *daemon, daemons.shared, q));
    }

    Interpreter* in = rt->interpreter(rs.app_group);
    if (!in) return HTTP_INTERNAL_SERVER_ERROR;

    RequestScope current(transport);
    InterpreterScope gil(in);
    if (pickle_resolve_of(sc)) pickle_resolve::ensure_installed(in, r->server);  // first: diagnostics wrap it
    if (pickle_diagnostics_of(sc)) pickle_diagnostics::ensure_installed(in, r->server);
    ScriptLoad load;
    load.path = tg.script;
    load.mtime = tg.mtime;
    load.seen_at = r->request_time;
    load.reloading = rs.reloading;
    load.ask_script = rs.reloading;
    load.case_sensitive = case_sensitive_of(main_sc);
    load.log = log;
    return apache_status(serve_request(in, transport, rs, load));
}

// The WSGIHandlerScript registered for the request's handler, if any.
const HandlerScript* handler_script_of(request_rec* r)
{
    const DirConfig* d = dir_config(r);
    if (!d->handler_scripts) return nullptr;
    return static_cast<const HandlerScript*>(apr_hash_get(d->handler_scripts, r->handler, APR_HASH_KEY_STRING));
}

int handler(request_rec* r)
{
    if (!r->handler) return DECLINED;
    const HandlerScript* hs = nullptr;
    if (strcmp(r->handler, kHandler) != 0 && strcmp(r->handler, "application/x-httpd-wsgi") != 0) {
        hs = handler_script_of(r);
        if (!hs) return DECLINED;
    }
    if constexpr (fault::kEnabled) fault::arm(apr_table_get(r->subprocess_env, "WSGISCRIPT_FAULT"));
    int status = hook_entry(r, HTTP_INTERNAL_SERVER_ERROR, [r, hs] { return serve(r, hs); });
    fault::arm(nullptr);
    return status;
}

void preload_one(server_rec* s, const char* path, const char* group_spec, bool case_sensitive)
{
    Runtime* rt = Runtime::current();
    Interpreter* in = rt->interpreter(static_group_name(s, group_spec));
    if (!in) return;
    InterpreterScope gil(in);
    if (pickle_resolve_of(server_config(s))) pickle_resolve::ensure_installed(in, s);
    if (pickle_diagnostics_of(server_config(s))) pickle_diagnostics::ensure_installed(in, s);
    ScriptLoad load;
    load.path = path;
    load.case_sensitive = case_sensitive;
    load.log = LogTarget::of(s);
    int status = 0;
    load_script(in, load, &status);
}

}  // namespace

std::string static_group_name(server_rec* s, const char* spec)
{
    GroupContext ctx;
    ctx.server = server_group_name(s, server_port(s));
    return expand_application_group(spec, ctx);
}

std::string server_group_of(request_rec* r) { return server_group_name(r->server, request_port(r)); }

void register_request_hooks()
{
    static const char* const after_alias[] = {"mod_alias.c", nullptr};
    static const char* const before[] = {"mod_userdir.c", "mod_vhost_alias.c", nullptr};
    ap_hook_translate_name(translate_name, after_alias, before, APR_HOOK_MIDDLE);
    ap_hook_fixups(fixups, nullptr, nullptr, APR_HOOK_LAST);
    ap_hook_handler(handler, nullptr, nullptr, APR_HOOK_MIDDLE);
}

void preload_scripts(server_rec* main)
{
    if (!Runtime::current()) return;
    bool case_sensitive = case_sensitive_of(server_config(main));
    for (server_rec* s = main; s; s = s->next) {
        const ServerConfig* sc = server_config(s);
        for (const ImportScript& script : imports_of(sc))
            if (!script.process_group || !strcmp(script.process_group, "%{GLOBAL}"))
                preload_one(s, script.path, script.app_group, case_sensitive);
        // Like mod_wsgi: an alias naming both process-group and
        // application-group (request-independent) is loaded at start too.
        for (const ScriptAlias& a : aliases_of(sc)) {
            if (a.regex || !a.process_group || !a.app_group || strcmp(a.process_group, "%{GLOBAL}") != 0) continue;
            if (strstr(a.app_group, "%{RESOURCE}") || strstr(a.app_group, "%{ENV:")) continue;
            apr_finfo_t fi;
            if (apr_stat(&fi, a.target, APR_FINFO_TYPE, s->process->pool) != APR_SUCCESS || fi.filetype != APR_REG)
                continue;
            preload_one(s, a.target, a.app_group, case_sensitive);
        }
    }
}

}  // namespace wsgi
