// config.h - every directive of mod_wsgiscript and the structures they
// fill. All of it lives in pconf (the configuration pool): it is rebuilt on
// every restart and read, never written, once the child serves requests.
#pragma once

#include "base/httpd.h"
#include "daemon/supervisor.h"

#include <span>

namespace wsgi {

constexpr int kUnset = -1;

struct ScriptAlias {
    const char* location = nullptr;     // URL path, or the regex source
    ap_regex_t* regex = nullptr;        // WSGIScriptAliasMatch only
    const char* target = nullptr;       // file, directory, or pattern with $N
    const char* callable = nullptr;     // callable-object= (nullptr: inherit)
    const char* app_group = nullptr;    // application-group= (nullptr: inherit)
    const char* process_group = nullptr;
    int pass_authorization = kUnset;
    const char* defined_in = nullptr;   // "file:line" for messages
};

// WSGIAccessScript, WSGIAuthUserScript, WSGIAuthGroupScript (httpd/auth_hooks).
struct HookScript {
    const char* path = nullptr;        // absolute (ServerRoot-relative as written)
    const char* app_group = nullptr;   // application-group= as written (checked: core/hook_rules.h)
    const char* defined_in = nullptr;  // "file:line" for messages
};

struct ImportScript {
    const char* path = nullptr;
    const char* app_group = nullptr;
    const char* process_group = nullptr;
    const char* defined_in = nullptr;
};

// WSGIHandlerScript NAME PATH [options]: requests whose handler is NAME
// run PATH's handle_request.
struct HandlerScript {
    const char* name = nullptr;
    const char* path = nullptr;
    const char* app_group = nullptr;      // nullptr: the request's
    const char* process_group = nullptr;  // nullptr: the request's
    int pass_authorization = kUnset;
};

// WSGIDispatchScript PATH [application-group=NAME].
struct DispatchScript {
    const char* path = nullptr;
    const char* app_group = nullptr;  // the interpreter it runs in (nullptr: %{GLOBAL}, as mod_wsgi 5)
};

// Per server (main server and each virtual host).
struct ServerConfig {
    apr_array_header_t* aliases = nullptr;         // of ScriptAlias
    apr_array_header_t* import_scripts = nullptr;  // of ImportScript
    int pickle_diagnostics = kUnset;
    int pickle_resolve = kUnset;                   // WSGIPickleResolve
    const char* script_manifest = nullptr;         // WSGIScriptManifest (main server only)
    // Process-wide settings: only meaningful on the main server.
    const char* python_home = nullptr;
    apr_array_header_t* python_path = nullptr;     // of const char*
    const char* python_path_at = nullptr;          // file:line of the WSGIPythonPath in force
    int case_sensitive = kUnset;
    const char* socket_prefix = nullptr;           // WSGISocketPrefix (absolute)
    int restrict_embedded = kUnset;                // WSGIRestrictEmbedded
    int server_metrics = kUnset;                   // WSGIServerMetrics (embedded mode's server_metrics())
    int socket_rotation = kUnset;                  // WSGISocketRotation (accepted; see its page)
    const char* accept_mutex = nullptr;            // WSGIAcceptMutex (accepted; see its page)
};

// Per directory (also the server's defaults when used in server context).
struct DirConfig {
    const char* process_group = nullptr;  // WSGIProcessGroup (nullptr: inherit, then %{GLOBAL})
    const char* app_group = nullptr;
    const char* callable = nullptr;
    int reloading = kUnset;
    int pass_authorization = kUnset;
    int ignore_activity = kUnset;         // WSGIIgnoreActivity
    // The authentication and access hooks (nullptr: inherit, then none).
    const HookScript* access_script = nullptr;      // WSGIAccessScript
    const HookScript* auth_user_script = nullptr;   // WSGIAuthUserScript
    const HookScript* auth_group_script = nullptr;  // WSGIAuthGroupScript
    int group_authoritative = kUnset;               // WSGIGroupAuthoritative (accepted, no effect on httpd 2.4)
    int chunked_request = kUnset;         // WSGIChunkedRequest (default Off: 411, as mod_wsgi)
    int map_head_to_get = kUnset;         // WSGIMapHEADToGET: 0 Off, 1 On, 2 Auto (default)
    int error_override = kUnset;          // WSGIErrorOverride (daemon mode)
    int enable_sendfile = kUnset;         // WSGIEnableSendfile (unset: Apache's EnableSendfile)
    int pass_apache_request = kUnset;     // WSGIPassApacheRequest (embedded mode)
    apr_array_header_t* restrict_process = nullptr;  // WSGIRestrictProcess: allowed group names (nullptr: any)
    apr_hash_t* handler_scripts = nullptr;           // WSGIHandlerScript: name -> const HandlerScript*
    const DispatchScript* dispatch = nullptr;        // WSGIDispatchScript
    // WSGITrustedProxyHeaders (of proxy::Header, in the order written) and
    // WSGITrustedProxies (of proxy::Subnet; empty: no peer is trusted).
    // nullptr: inherited; a section that has one replaces the whole list.
    apr_array_header_t* trusted_proxy_headers = nullptr;
    apr_array_header_t* trusted_proxies = nullptr;
};

// Effective values, with the defaults applied.
inline bool reloading_of(const DirConfig* d) { return d->reloading != 0; }
inline bool pass_authorization_of(const DirConfig* d) { return d->pass_authorization == 1; }
inline bool ignore_activity_of(const DirConfig* d) { return d->ignore_activity == 1; }
inline bool chunked_request_of(const DirConfig* d) { return d->chunked_request == 1; }
inline int map_head_to_get_of(const DirConfig* d) { return d->map_head_to_get == kUnset ? 2 : d->map_head_to_get; }
inline bool error_override_of(const DirConfig* d) { return d->error_override == 1; }
inline bool pass_apache_request_of(const DirConfig* d) { return d->pass_apache_request == 1; }
inline const char* callable_of(const DirConfig* d) { return d->callable ? d->callable : "application"; }
inline const char* app_group_of(const DirConfig* d) { return d->app_group ? d->app_group : "%{RESOURCE}"; }
inline bool pickle_diagnostics_of(const ServerConfig* s) { return s->pickle_diagnostics == 1; }
inline bool pickle_resolve_of(const ServerConfig* s) { return s->pickle_resolve == 1; }
inline bool case_sensitive_of(const ServerConfig* main) { return main->case_sensitive != 0; }
inline bool restrict_embedded_of(const ServerConfig* main) { return main->restrict_embedded == 1; }
inline bool server_metrics_of(const ServerConfig* main) { return main->server_metrics == 1; }
inline const char* process_group_of(const DirConfig* d) { return d->process_group ? d->process_group : "%{GLOBAL}"; }

// Every WSGIDaemonProcess of this server generation (in pconf).
DaemonSet& daemon_set(apr_pool_t* pconf);
// The group `name` as server s sees it: one defined in s itself, else in
// the main server; nullptr when there is none.
const DaemonGroup* find_daemon_group(const DaemonSet& set, const char* name, const server_rec* s, const server_rec* main);

inline std::span<const ScriptAlias> aliases_of(const ServerConfig* sc)
{
    return {reinterpret_cast<const ScriptAlias*>(sc->aliases->elts), static_cast<size_t>(sc->aliases->nelts)};
}
inline std::span<const ImportScript> imports_of(const ServerConfig* sc)
{
    return {reinterpret_cast<const ImportScript*>(sc->import_scripts->elts),
            static_cast<size_t>(sc->import_scripts->nelts)};
}

inline ServerConfig* server_config(const server_rec* s)
{
    return static_cast<ServerConfig*>(ap_get_module_config(s->module_config, &wsgiscript_module));
}
inline DirConfig* dir_config(const request_rec* r)
{
    return static_cast<DirConfig*>(ap_get_module_config(r->per_dir_config, &wsgiscript_module));
}

// True when the main configuration (not a .htaccess file) names a hook
// script or a WSGIDispatchScript: with WSGIRestrictEmbedded On, Python still
// starts in the Apache children for them, as in mod_wsgi.
bool hook_scripts_configured(apr_pool_t* pconf);

void* create_server_config(apr_pool_t* p, server_rec* s);
void* merge_server_config(apr_pool_t* p, void* base, void* add);
void* create_dir_config(apr_pool_t* p, char* dir);
void* merge_dir_config(apr_pool_t* p, void* base, void* add);

extern const command_rec directives[];

}  // namespace wsgi
