// config.cpp - every directive: parse, check, store. Messages returned
// here are shown by httpd with the config file name and line.
#include "httpd/config.h"

#include "base/boundary.h"
#include "core/daemon_options.h"
#include "core/fault.h"
#include "core/hook_rules.h"
#include "core/options.h"
#include "core/proxy_rules.h"
#include "httpd/python_config.h"

#include <memory>
#include <string>

namespace wsgi {

namespace {

template <typename F>
cmd_func as_cmd(F f) { return reinterpret_cast<cmd_func>(reinterpret_cast<void (*)()>(f)); }

// Every directive handler runs inside directive_entry (wsgi_boundary.h).
template <auto F>
struct Guarded;
template <class... A, const char* (*F)(cmd_parms*, A...)>
struct Guarded<F> {
    static const char* call(cmd_parms* cmd, A... args) noexcept
    {
        return directive_entry(cmd, [&] {
            WSGIS_FAULT("config");
            return F(cmd, args...);
        });
    }
};
#define WSGIS_CMD(f) as_cmd(&Guarded<f>::call)

const char* where_of(cmd_parms* cmd)
{
    if (!cmd->directive) return "(unknown)";
    return apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename, cmd->directive->line_num);
}

const char* fail(cmd_parms* cmd, const std::string& msg)
{
    return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", msg.c_str(), nullptr);
}

ServerConfig* sconf(cmd_parms* cmd) { return server_config(cmd->server); }

// Options common to WSGIScriptAlias, WSGIScriptAliasMatch and WSGIImportScript.
const char* parse_options(cmd_parms* cmd, int argc, char* const argv[], int first, AliasOptions& o)
{
    for (int i = first; i < argc; ++i) {
        std::string err = parse_alias_option(argv[i], o);
        if (!err.empty()) return fail(cmd, err);
    }
    return nullptr;
}

// A process group as WSGIProcessGroup and process-group= take it: a
// WSGIDaemonProcess name, %{GLOBAL} (embedded) or %{ENV:variable}.
std::string check_process_group(std::string_view v)
{
    if (v == "%{GLOBAL}" || v.empty()) return {};
    if (v.starts_with("%{ENV:") && v.ends_with("}") && v.size() > 7) return {};
    if (v.find('%') != std::string_view::npos)
        return "process group '" + std::string(v) + "': expected a WSGIDaemonProcess name, %{GLOBAL} or %{ENV:variable}";
    return check_daemon_name(v);
}

const char* opt_str(cmd_parms* cmd, const std::optional<std::string>& v)
{
    return v ? apr_pstrdup(cmd->pool, v->c_str()) : nullptr;
}

const char* add_alias(cmd_parms* cmd, int argc, char* const argv[], bool is_regex)
{
    if (argc < 2)
        return fail(cmd, is_regex ? "takes a regular expression, a file path and options"
                                  : "takes a URL path, a file or directory path and options");
    AliasOptions o;
    if (const char* err = parse_options(cmd, argc, argv, 2, o)) return err;

    auto* a = static_cast<ScriptAlias*>(apr_array_push(sconf(cmd)->aliases));
    *a = ScriptAlias{};
    a->location = apr_pstrdup(cmd->pool, argv[0]);
    if (is_regex) {
        a->regex = ap_pregcomp(cmd->pool, argv[0], AP_REG_EXTENDED);
        if (!a->regex)
            return fail(cmd, std::string("invalid regular expression '") + argv[0] + "'");
        a->target = ap_server_root_relative(cmd->pool, argv[1]);
        if (!a->target) return fail(cmd, std::string("invalid path '") + argv[1] + "'");
    } else {
        if (argv[0][0] != '/')
            return fail(cmd, std::string("URL path must start with '/', got '") + argv[0] + "'");
        a->target = ap_server_root_relative(cmd->pool, argv[1]);
        if (!a->target) return fail(cmd, std::string("invalid path '") + argv[1] + "'");
    }
    a->callable = opt_str(cmd, o.callable_object);
    a->app_group = opt_str(cmd, o.application_group);
    a->process_group = opt_str(cmd, o.process_group);
    if (o.pass_authorization) a->pass_authorization = *o.pass_authorization ? 1 : 0;
    a->defined_in = where_of(cmd);
    if (a->process_group)
        if (std::string err = check_process_group(a->process_group); !err.empty()) return fail(cmd, err);
    return nullptr;
}

const char* cmd_script_alias(cmd_parms* cmd, void*, int argc, char* const argv[])
{
    return add_alias(cmd, argc, argv, false);
}

const char* cmd_script_alias_match(cmd_parms* cmd, void*, int argc, char* const argv[])
{
    return add_alias(cmd, argc, argv, true);
}

const char* cmd_import_script(cmd_parms* cmd, void*, int argc, char* const argv[])
{
    if (argc < 1) return fail(cmd, "takes a script path and options");
    AliasOptions o;
    if (const char* err = parse_options(cmd, argc, argv, 1, o)) return err;
    if (o.callable_object || o.pass_authorization)
        return fail(cmd, "only process-group= and application-group= apply here");
    if (!o.application_group)
        return fail(cmd, "needs application-group= (the interpreter to load the script into)");
    if (o.process_group) {
        if (std::string err = check_process_group(*o.process_group); !err.empty()) return fail(cmd, err);
        if (o.process_group->find("%{ENV:") != std::string::npos)
            return fail(cmd, "process-group= must not depend on the request here");
    }
    if (o.application_group->find("%{RESOURCE}") != std::string::npos ||
        o.application_group->find("%{ENV:") != std::string::npos)
        return fail(cmd, "application-group= must not depend on the request here");
    auto* s = static_cast<ImportScript*>(apr_array_push(sconf(cmd)->import_scripts));
    *s = ImportScript{};
    s->path = ap_server_root_relative(cmd->pool, argv[0]);
    if (!s->path) return fail(cmd, std::string("invalid path '") + argv[0] + "'");
    s->app_group = opt_str(cmd, o.application_group);
    s->process_group = opt_str(cmd, o.process_group);
    s->defined_in = where_of(cmd);
    return nullptr;
}

const char* cmd_python_home(cmd_parms* cmd, void*, const char* arg)
{
    if (const char* err = ap_check_cmd_context(cmd, GLOBAL_ONLY)) return err;
    apr_finfo_t fi;
    if (apr_stat(&fi, arg, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS || fi.filetype != APR_DIR)
        return fail(cmd, std::string("'") + arg + "' is not a directory" +
                             (strchr(arg, ':') ? " (one directory: mod_wsgi's prefix:exec_prefix form is not accepted)"
                                               : ""));
    sconf(cmd)->python_home = apr_pstrdup(cmd->pool, arg);
    return nullptr;
}

const char* cmd_python_path(cmd_parms* cmd, void*, const char* arg)
{
    if (const char* err = ap_check_cmd_context(cmd, GLOBAL_ONLY)) return err;
    if (InterpreterOptionsBlock* b = active_interpreter_block(cmd)) return set_block_python_path(cmd, b, arg);
    // mod_wsgi's rule: the last WSGIPythonPath wins (said at start-up, so a
    // configuration that meant to add both sees why it does not).
    ServerConfig* c = sconf(cmd);
    if (c->python_path_at) {
        log_fmt(LogTarget::of(cmd->server), APLOG_WARNING, "WSGIS0006",
                "WSGIPythonPath at %s replaces the one at %s (as in mod_wsgi, the last one is used; list every "
                "directory in one WSGIPythonPath, separated by ':')",
                where_of(cmd), c->python_path_at);
        apr_array_clear(c->python_path);
    }
    c->python_path_at = where_of(cmd);
    std::string_view all(arg);
    size_t pos = 0;
    while (pos <= all.size()) {
        size_t end = all.find(':', pos);
        if (end == std::string_view::npos) end = all.size();
        if (end > pos) {
            std::string dir(all.substr(pos, end - pos));
            *static_cast<const char**>(apr_array_push(sconf(cmd)->python_path)) =
                apr_pstrdup(cmd->pool, dir.c_str());
        }
        pos = end + 1;
    }
    return nullptr;
}

const char* cmd_daemon_process(cmd_parms* cmd, void*, int argc, char* const argv[])
{
    if (const char* err = ap_check_cmd_context(cmd, NOT_IN_DIR_LOC_FILE)) return err;
    if (argc < 1) return fail(cmd, "takes a process group name and options");
    if (std::string err = check_daemon_name(argv[0]); !err.empty()) return fail(cmd, err);
    DaemonSet& set = daemon_set(cmd->pool);
    for (const DaemonGroup* g : set.groups)
        if (g->options.name == argv[0])
            return fail(cmd, std::string("a process group named '") + argv[0] + "' is already defined at " +
                                 g->defined_in + " (names are unique in the whole server)");
    auto group = std::make_unique<DaemonGroup>();
    group->options.name = argv[0];
    for (int i = 1; i < argc; ++i)
        if (std::string err = parse_daemon_option(argv[i], group->options); !err.empty()) return fail(cmd, err);
    group->server = cmd->server;
    group->defined_in = where_of(cmd);
    group->index = static_cast<unsigned>(set.groups.size());
    set.groups.push_back(group.release());
    return nullptr;
}

const char* cmd_process_group(cmd_parms* cmd, void* dconf, const char* arg)
{
    if (std::string err = check_process_group(arg); !err.empty()) return fail(cmd, err);
    static_cast<DirConfig*>(dconf)->process_group = apr_pstrdup(cmd->pool, arg);
    return nullptr;
}

const char* cmd_socket_prefix(cmd_parms* cmd, void*, const char* arg)
{
    if (const char* err = ap_check_cmd_context(cmd, GLOBAL_ONLY)) return err;
    const char* prefix = ap_server_root_relative(cmd->pool, arg);
    if (!prefix) return fail(cmd, std::string("invalid path '") + arg + "'");
    sconf(cmd)->socket_prefix = prefix;
    return nullptr;
}

// An On|Off directive that sets one field of the server configuration, in
// the contexts `where` allows (ap_check_cmd_context).
template <int ServerConfig::*Field, unsigned where>
const char* cmd_server_flag(cmd_parms* cmd, void*, int on)
{
    if (const char* err = ap_check_cmd_context(cmd, where)) return err;
    sconf(cmd)->*Field = on ? 1 : 0;
    return nullptr;
}

const char* cmd_script_manifest(cmd_parms* cmd, void*, const char* arg)
{
    if (const char* err = ap_check_cmd_context(cmd, GLOBAL_ONLY)) return err;
    const char* path = ap_server_root_relative(cmd->pool, arg);
    if (!path || !*arg) return fail(cmd, std::string("invalid path '") + arg + "'");
    sconf(cmd)->script_manifest = path;
    return nullptr;
}

const char* cmd_application_group(cmd_parms* cmd, void* dconf, const char* arg)
{
    std::string err = check_application_group(arg);
    if (!err.empty()) return fail(cmd, err);
    static_cast<DirConfig*>(dconf)->app_group = apr_pstrdup(cmd->pool, arg);
    return nullptr;
}

const char* cmd_callable_object(cmd_parms* cmd, void* dconf, const char* arg)
{
    if (!*arg) return fail(cmd, "needs a name");
    static_cast<DirConfig*>(dconf)->callable = apr_pstrdup(cmd->pool, arg);
    return nullptr;
}

// An On|Off directive that sets one field of the directory configuration.
template <int DirConfig::*Field>
const char* cmd_dir_flag(cmd_parms*, void* dconf, int on)
{
    static_cast<DirConfig*>(dconf)->*Field = on ? 1 : 0;
    return nullptr;
}

// Set (pconf userdata) when the main configuration names a hook or dispatch
// script: the Apache children then start Python even under
// WSGIRestrictEmbedded On (hook_scripts_configured()).
constexpr char kHookScriptsKey[] = "wsgiscript.hook_scripts";

// WSGIAccessScript, WSGIAuthUserScript, WSGIAuthGroupScript: a script path
// and application-group= (core/hook_rules.h), into *slot.
const char* set_hook_script(cmd_parms* cmd, const HookScript** slot, int argc, char* const argv[])
{
    if (argc < 1 || !*argv[0]) return fail(cmd, "takes a script path and application-group=NAME");
    HookScriptOptions o;
    for (int i = 1; i < argc; ++i)
        if (std::string err = parse_hook_option(argv[i], o); !err.empty()) return fail(cmd, err);
    auto* h = static_cast<HookScript*>(apr_pcalloc(cmd->pool, sizeof(HookScript)));
    *h = HookScript{};
    h->path = ap_server_root_relative(cmd->pool, argv[0]);
    if (!h->path) return fail(cmd, std::string("invalid path '") + argv[0] + "'");
    h->app_group = o.application_group ? apr_pstrdup(cmd->pool, o.application_group->c_str()) : "%{GLOBAL}";
    h->defined_in = where_of(cmd);
    *slot = h;
    if (!ap_check_cmd_context(cmd, NOT_IN_HTACCESS))
        apr_pool_userdata_setn(kHookScriptsKey, kHookScriptsKey, nullptr, cmd->pool);
    return nullptr;
}

const char* cmd_access_script(cmd_parms* cmd, void* dconf, int argc, char* const argv[])
{
    return set_hook_script(cmd, &static_cast<DirConfig*>(dconf)->access_script, argc, argv);
}

const char* cmd_auth_user_script(cmd_parms* cmd, void* dconf, int argc, char* const argv[])
{
    return set_hook_script(cmd, &static_cast<DirConfig*>(dconf)->auth_user_script, argc, argv);
}

const char* cmd_auth_group_script(cmd_parms* cmd, void* dconf, int argc, char* const argv[])
{
    return set_hook_script(cmd, &static_cast<DirConfig*>(dconf)->auth_group_script, argc, argv);
}

const char* cmd_map_head_to_get(cmd_parms* cmd, void* dconf, const char* arg)
{
    int v = !strcasecmp(arg, "Off") ? 0 : !strcasecmp(arg, "On") ? 1 : !strcasecmp(arg, "Auto") ? 2 : kUnset;
    if (v == kUnset) return fail(cmd, std::string("must be On, Off or Auto, got '") + arg + "'");
    static_cast<DirConfig*>(dconf)->map_head_to_get = v;
    return nullptr;
}

const char* cmd_restrict_process(cmd_parms* cmd, void* dconf, int argc, char* const argv[])
{
    if (argc < 1) return fail(cmd, "takes one or more daemon process group names");
    auto* d = static_cast<DirConfig*>(dconf);
    d->restrict_process = apr_array_make(cmd->pool, argc, sizeof(const char*));
    for (int i = 0; i < argc; ++i) {
        if (std::string err = check_daemon_name(argv[i]); !err.empty() && strcmp(argv[i], "%{GLOBAL}") != 0)
            return fail(cmd, err);
        *static_cast<const char**>(apr_array_push(d->restrict_process)) = apr_pstrdup(cmd->pool, argv[i]);
    }
    return nullptr;
}

// A process group given to WSGIHandlerScript/process-group= or returned
// by a dispatch script: as WSGIProcessGroup takes it.
const char* cmd_handler_script(cmd_parms* cmd, void* dconf, int argc, char* const argv[])
{
    if (argc < 2) return fail(cmd, "takes a handler name, a script path and options");
    AliasOptions o;
    if (const char* err = parse_options(cmd, argc, argv, 2, o)) return err;
    if (o.callable_object) return fail(cmd, "callable-object= does not apply (the callable is handle_request)");
    if (o.process_group)
        if (std::string err = check_process_group(*o.process_group); !err.empty()) return fail(cmd, err);
    auto* h = static_cast<HandlerScript*>(apr_pcalloc(cmd->pool, sizeof(HandlerScript)));
    *h = HandlerScript{};
    h->name = apr_pstrdup(cmd->pool, argv[0]);
    h->path = ap_server_root_relative(cmd->pool, argv[1]);
    if (!h->path) return fail(cmd, std::string("invalid path '") + argv[1] + "'");
    h->app_group = opt_str(cmd, o.application_group);
    h->process_group = opt_str(cmd, o.process_group);
    if (o.pass_authorization) h->pass_authorization = *o.pass_authorization ? 1 : 0;
    auto* d = static_cast<DirConfig*>(dconf);
    if (!d->handler_scripts) d->handler_scripts = apr_hash_make(cmd->pool);
    apr_hash_set(d->handler_scripts, h->name, APR_HASH_KEY_STRING, h);
    return nullptr;
}

const char* cmd_dispatch_script(cmd_parms* cmd, void* dconf, int argc, char* const argv[])
{
    if (argc < 1) return fail(cmd, "takes a script path and options");
    AliasOptions o;
    if (const char* err = parse_options(cmd, argc, argv, 1, o)) return err;
    if (o.callable_object || o.pass_authorization || o.process_group)
        return fail(cmd, "only application-group= applies here");
    if (o.application_group && (o.application_group->find("%{RESOURCE}") != std::string::npos ||
                                o.application_group->find("%{ENV:") != std::string::npos))
        return fail(cmd, "application-group= must not depend on the request here");
    auto* ds = static_cast<DispatchScript*>(apr_pcalloc(cmd->pool, sizeof(DispatchScript)));
    ds->path = ap_server_root_relative(cmd->pool, argv[0]);
    if (!ds->path) return fail(cmd, std::string("invalid path '") + argv[0] + "'");
    ds->app_group = opt_str(cmd, o.application_group);
    static_cast<DirConfig*>(dconf)->dispatch = ds;
    apr_pool_userdata_setn(kHookScriptsKey, kHookScriptsKey, nullptr, cmd->pool);  // Python in the children
    return nullptr;
}

// mod_wsgi's values are those of Apache's Mutex directive.
const char* cmd_accept_mutex(cmd_parms* cmd, void*, const char* arg)
{
    if (const char* err = ap_check_cmd_context(cmd, GLOBAL_ONLY)) return err;
    static const char* const kMechanisms[] = {"default", "flock", "fcntl", "sysvsem", "posixsem", "pthread"};
    for (const char* m : kMechanisms)
        if (!strcasecmp(arg, m)) {
            sconf(cmd)->accept_mutex = apr_pstrdup(cmd->pool, arg);
            return nullptr;
        }
    return fail(cmd, std::string("unknown mutex mechanism '") + arg +
                         "' (Default, flock, fcntl, sysvsem, posixsem or pthread)");
}

// The list a section adds to: one per section, more lines append to it.
apr_array_header_t* list_of(cmd_parms* cmd, apr_array_header_t*& list, int size)
{
    if (!list) list = apr_array_make(cmd->pool, 4, size);
    return list;
}

const char* cmd_trusted_proxy_headers(cmd_parms* cmd, void* dconf, int argc, char* const argv[])
{
    apr_array_header_t* list = list_of(cmd, static_cast<DirConfig*>(dconf)->trusted_proxy_headers, sizeof(proxy::Header));
    for (int i = 0; i < argc; ++i) {
        proxy::Header h{};
        proxy::NameKind kind = proxy::header_named(argv[i], &h);
        if (kind == proxy::NameKind::invalid)
            return fail(cmd, std::string("'") + argv[i] + "' is not a header name (letters, digits and '-' only)");
        if (kind == proxy::NameKind::known)
            *static_cast<proxy::Header*>(apr_array_push(list)) = h;
        else if (cmd->pool == cmd->server->process->pconf)  // not in .htaccess: once per start, not per request
            log_fmt(LogTarget::of(cmd->server), APLOG_WARNING, "WSGIS0801",
                    "WSGITrustedProxyHeaders at %s: '%s' is not a header mod_wsgi knows: ignored", where_of(cmd), argv[i]);
    }
    return nullptr;
}

const char* cmd_trusted_proxies(cmd_parms* cmd, void* dconf, int argc, char* const argv[])
{
    apr_array_header_t* list = list_of(cmd, static_cast<DirConfig*>(dconf)->trusted_proxies, sizeof(proxy::Subnet));
    for (int i = 0; i < argc; ++i) {
        proxy::Subnet subnet;
        if (std::string err = proxy::parse_subnet(argv[i], &subnet); !err.empty()) return fail(cmd, err);
        *static_cast<proxy::Subnet*>(apr_array_push(list)) = subnet;
    }
    return nullptr;
}

template <typename T>
T pick(T add, T base, T unset) { return add != unset ? add : base; }

}  // namespace

bool hook_scripts_configured(apr_pool_t* pconf)
{
    void* data = nullptr;
    apr_pool_userdata_get(&data, kHookScriptsKey, pconf);
    return data != nullptr;
}

void* create_server_config(apr_pool_t* p, server_rec*)
{
    auto* c = static_cast<ServerConfig*>(apr_pcalloc(p, sizeof(ServerConfig)));
    *c = ServerConfig{};
    c->aliases = apr_array_make(p, 4, sizeof(ScriptAlias));
    c->import_scripts = apr_array_make(p, 2, sizeof(ImportScript));
    c->python_path = apr_array_make(p, 2, sizeof(const char*));
    return c;
}

void* merge_server_config(apr_pool_t* p, void* base_v, void* add_v)
{
    auto* base = static_cast<ServerConfig*>(base_v);
    auto* add = static_cast<ServerConfig*>(add_v);
    auto* c = static_cast<ServerConfig*>(apr_pcalloc(p, sizeof(ServerConfig)));
    *c = ServerConfig{};
    // A virtual host's aliases come first, then the main server's.
    c->aliases = apr_array_append(p, add->aliases, base->aliases);
    c->import_scripts = add->import_scripts;  // loaded once, by the server that names them
    c->pickle_diagnostics = pick(add->pickle_diagnostics, base->pickle_diagnostics, kUnset);
    c->pickle_resolve = pick(add->pickle_resolve, base->pickle_resolve, kUnset);
    c->script_manifest = base->script_manifest;
    c->python_home = base->python_home;
    c->python_path = base->python_path;
    c->case_sensitive = base->case_sensitive;
    c->socket_prefix = base->socket_prefix;
    c->restrict_embedded = base->restrict_embedded;
    c->server_metrics = base->server_metrics;
    c->socket_rotation = base->socket_rotation;
    c->accept_mutex = base->accept_mutex;
    return c;
}

namespace {
// The set of the generation in force, also held here: an Apache child
// exits without destroying pconf, and a leak checker must see the set (kept
// in pool memory it does not scan) as still reachable.
DaemonSet* g_current_set = nullptr;
}  // namespace

DaemonSet& daemon_set(apr_pool_t* pconf)
{
    static const char kKey[] = "wsgiscript.daemon_set";
    void* data = nullptr;
    apr_pool_userdata_get(&data, kKey, pconf);
    if (!data) {
        data = new DaemonSet;
        g_current_set = static_cast<DaemonSet*>(data);
        apr_pool_userdata_set(data, kKey,
                              [](void* p) -> apr_status_t {
                                  auto* set = static_cast<DaemonSet*>(p);
                                  if (g_current_set == set) g_current_set = nullptr;
                                  for (DaemonGroup* g : set->groups) delete g;
                                  delete set;
                                  return APR_SUCCESS;
                              },
                              pconf);
    }
    return *static_cast<DaemonSet*>(data);
}

const DaemonGroup* find_daemon_group(const DaemonSet& set, const char* name, const server_rec* s, const server_rec* main)
{
    // As mod_wsgi: a group of this server, of the main server, or of a
    // virtual host with the same ServerName (the usual http and https pair
    // sharing one group).
    const DaemonGroup *from_main = nullptr, *same_name = nullptr;
    for (const DaemonGroup* g : set.groups) {
        if (g->options.name != name) continue;
        if (g->server == s) return g;
        if (g->server == main)
            from_main = g;
        else if (!same_name && g->server && g->server->server_hostname && s->server_hostname &&
                 !strcasecmp(g->server->server_hostname, s->server_hostname))
            same_name = g;
    }
    return from_main ? from_main : same_name;
}

void* create_dir_config(apr_pool_t* p, char*)
{
    auto* c = static_cast<DirConfig*>(apr_pcalloc(p, sizeof(DirConfig)));
    *c = DirConfig{};
    return c;
}

void* merge_dir_config(apr_pool_t* p, void* base_v, void* add_v)
{
    auto* base = static_cast<DirConfig*>(base_v);
    auto* add = static_cast<DirConfig*>(add_v);
    auto* c = static_cast<DirConfig*>(apr_pcalloc(p, sizeof(DirConfig)));
    c->app_group = add->app_group ? add->app_group : base->app_group;
    c->callable = add->callable ? add->callable : base->callable;
    c->process_group = add->process_group ? add->process_group : base->process_group;
    c->reloading = pick(add->reloading, base->reloading, kUnset);
    c->pass_authorization = pick(add->pass_authorization, base->pass_authorization, kUnset);
    c->ignore_activity = pick(add->ignore_activity, base->ignore_activity, kUnset);
    c->access_script = add->access_script ? add->access_script : base->access_script;
    c->auth_user_script = add->auth_user_script ? add->auth_user_script : base->auth_user_script;
    c->auth_group_script = add->auth_group_script ? add->auth_group_script : base->auth_group_script;
    c->group_authoritative = pick(add->group_authoritative, base->group_authoritative, kUnset);
    c->chunked_request = pick(add->chunked_request, base->chunked_request, kUnset);
    c->map_head_to_get = pick(add->map_head_to_get, base->map_head_to_get, kUnset);
    c->error_override = pick(add->error_override, base->error_override, kUnset);
    c->enable_sendfile = pick(add->enable_sendfile, base->enable_sendfile, kUnset);
    c->pass_apache_request = pick(add->pass_apache_request, base->pass_apache_request, kUnset);
    c->restrict_process = add->restrict_process ? add->restrict_process : base->restrict_process;
    c->handler_scripts = !add->handler_scripts    ? base->handler_scripts
                         : !base->handler_scripts ? add->handler_scripts
                                                  : apr_hash_overlay(p, add->handler_scripts, base->handler_scripts);
    c->dispatch = add->dispatch ? add->dispatch : base->dispatch;
    c->trusted_proxy_headers = add->trusted_proxy_headers ? add->trusted_proxy_headers : base->trusted_proxy_headers;
    c->trusted_proxies = add->trusted_proxies ? add->trusted_proxies : base->trusted_proxies;
    return c;
}

const command_rec directives[] = {
    AP_INIT_TAKE_ARGV("WSGIScriptAlias", WSGIS_CMD(cmd_script_alias), nullptr, RSRC_CONF,
                      "URL-path file-or-directory [callable-object=NAME] [application-group=NAME] "
                      "[process-group=NAME|%{GLOBAL}] [pass-authorization=On|Off]"),
    AP_INIT_TAKE_ARGV("WSGIScriptAliasMatch", WSGIS_CMD(cmd_script_alias_match), nullptr, RSRC_CONF,
                      "regex file-path-with-$N [callable-object=NAME] [application-group=NAME] "
                      "[process-group=NAME|%{GLOBAL}] [pass-authorization=On|Off]"),
    AP_INIT_TAKE_ARGV("WSGIImportScript", WSGIS_CMD(cmd_import_script), nullptr, RSRC_CONF,
                      "file-path application-group=NAME [process-group=NAME|%{GLOBAL}]"),
    AP_INIT_TAKE_ARGV("WSGIDaemonProcess", WSGIS_CMD(cmd_daemon_process), nullptr, RSRC_CONF,
                      "name [processes=N threads=N user=U group=G ...]: a group of daemon processes"),
    AP_INIT_TAKE1("WSGIProcessGroup", WSGIS_CMD(cmd_process_group), nullptr, RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "daemon process group name, %{GLOBAL} (embedded) or %{ENV:variable}"),
    AP_INIT_TAKE1("WSGISocketPrefix", WSGIS_CMD(cmd_socket_prefix), nullptr, RSRC_CONF,
                  "directory and name prefix of the daemon processes' sockets"),
    AP_INIT_FLAG("WSGIRestrictEmbedded", WSGIS_CMD((cmd_server_flag<&ServerConfig::restrict_embedded, GLOBAL_ONLY>)), nullptr, RSRC_CONF,
                 "On: no application runs embedded (every request must go to a daemon process group)"),
    AP_INIT_FLAG("WSGIServerMetrics", WSGIS_CMD((cmd_server_flag<&ServerConfig::server_metrics, GLOBAL_ONLY>)), nullptr, RSRC_CONF,
                 "On: mod_wsgi.server_metrics() in the Apache children returns Apache's scoreboard (default Off: None)"),
    AP_INIT_TAKE1("WSGIPythonHome", WSGIS_CMD(cmd_python_home), nullptr, RSRC_CONF,
                  "Python installation or virtual environment to embed"),
    AP_INIT_TAKE1("WSGIPythonPath", WSGIS_CMD(cmd_python_path), nullptr, RSRC_CONF,
                  "directories (':'-separated) added to sys.path of every interpreter"),
    AP_INIT_FLAG("WSGICaseSensitivity", WSGIS_CMD((cmd_server_flag<&ServerConfig::case_sensitive, GLOBAL_ONLY>)), nullptr, RSRC_CONF,
                 "Off: script paths are lower-cased before naming their module"),
    AP_INIT_FLAG("WSGIPickleDiagnostics", WSGIS_CMD((cmd_server_flag<&ServerConfig::pickle_diagnostics, NOT_IN_DIR_CONTEXT>)), nullptr, RSRC_CONF,
                 "On: explain pickle failures caused by script loading in the error log"),
    AP_INIT_FLAG("WSGIPickleResolve", WSGIS_CMD((cmd_server_flag<&ServerConfig::pickle_resolve, NOT_IN_DIR_CONTEXT>)), nullptr, RSRC_CONF,
                 "On: unpickling data that names a script module not loaded here loads the script this server "
                 "serves under that name; objects of reloaded scripts pickle by name"),
    AP_INIT_TAKE1("WSGIScriptManifest", WSGIS_CMD(cmd_script_manifest), nullptr, RSRC_CONF,
                  "file the server writes the JSON manifest of its scripts to (module name -> path), for "
                  "wsgiscript.resolve.install() outside Apache"),
    AP_INIT_TAKE1("WSGIApplicationGroup", WSGIS_CMD(cmd_application_group), nullptr,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "interpreter name, %{GLOBAL}, %{SERVER}, %{RESOURCE} or %{ENV:variable}"),
    AP_INIT_TAKE1("WSGICallableObject", WSGIS_CMD(cmd_callable_object), nullptr,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO, "name of the WSGI callable in the script"),
    AP_INIT_FLAG("WSGIScriptReloading", WSGIS_CMD(cmd_dir_flag<&DirConfig::reloading>), nullptr,
                 RSRC_CONF | ACCESS_CONF | OR_FILEINFO, "reload a script when its file changes"),
    AP_INIT_FLAG("WSGIPassAuthorization", WSGIS_CMD(cmd_dir_flag<&DirConfig::pass_authorization>), nullptr,
                 RSRC_CONF | ACCESS_CONF | OR_AUTHCFG,
                 "On: pass the Authorization header to the application"),
    AP_INIT_FLAG("WSGIChunkedRequest", WSGIS_CMD(cmd_dir_flag<&DirConfig::chunked_request>), nullptr, RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                 "On: accept request bodies with chunked transfer encoding (Off: 411, as mod_wsgi)"),
    AP_INIT_TAKE1("WSGIMapHEADToGET", WSGIS_CMD(cmd_map_head_to_get), nullptr, RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "On|Off|Auto: show HEAD requests to the application as GET"),
    AP_INIT_FLAG("WSGIErrorOverride", WSGIS_CMD(cmd_dir_flag<&DirConfig::error_override>), nullptr, RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                 "On: Apache's error documents replace a daemon-mode application's error responses"),
    AP_INIT_FLAG("WSGIEnableSendfile", WSGIS_CMD(cmd_dir_flag<&DirConfig::enable_sendfile>), nullptr, RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                 "On|Off: send wsgi.file_wrapper files with sendfile()"),
    AP_INIT_FLAG("WSGIPassApacheRequest", WSGIS_CMD(cmd_dir_flag<&DirConfig::pass_apache_request>), nullptr, RSRC_CONF | ACCESS_CONF,
                 "On: environ['apache.request_rec'] is a capsule of the request_rec (embedded mode)"),
    AP_INIT_TAKE_ARGV("WSGIRestrictProcess", WSGIS_CMD(cmd_restrict_process), nullptr, RSRC_CONF | ACCESS_CONF,
                      "the daemon process groups requests here may be delegated to"),
    AP_INIT_TAKE_ARGV("WSGIHandlerScript", WSGIS_CMD(cmd_handler_script), nullptr, RSRC_CONF | ACCESS_CONF,
                      "name file-path [process-group=NAME] [application-group=NAME] [pass-authorization=On|Off]: "
                      "requests with this handler run the script's handle_request"),
    AP_INIT_TAKE_ARGV("WSGIDispatchScript", WSGIS_CMD(cmd_dispatch_script), nullptr, RSRC_CONF | ACCESS_CONF,
                      "file-path [application-group=NAME]: a script that may choose the process group, application "
                      "group and callable per request"),
    AP_INIT_FLAG("WSGISocketRotation", WSGIS_CMD((cmd_server_flag<&ServerConfig::socket_rotation, GLOBAL_ONLY>)), nullptr, RSRC_CONF,
                 "accepted for mod_wsgi's configurations: the daemon socket path never changes across restarts"),
    AP_INIT_TAKE1("WSGIAcceptMutex", WSGIS_CMD(cmd_accept_mutex), nullptr, RSRC_CONF,
                  "accepted for mod_wsgi's configurations: daemon processes accept without a mutex"),
    // Interpreter-level directives (httpd/python_config.cpp).
    AP_INIT_FLAG("WSGIDontWriteBytecode", WSGIS_CMD(cmd_dont_write_bytecode), nullptr, RSRC_CONF,
                 "On: Python does not write .pyc files (python -B)"),
    AP_INIT_TAKE1("WSGIPythonWarnings", WSGIS_CMD(cmd_python_warnings), nullptr, RSRC_CONF,
                  "a warnings filter as python -W takes it (action:message:category:module:lineno); repeatable"),
    AP_INIT_TAKE1("WSGIPythonOptimize", WSGIS_CMD(cmd_python_optimize), nullptr, RSRC_CONF,
                  "0, 1 or 2: Python's optimisation level (python -O, -OO)"),
    AP_INIT_TAKE1("WSGIPythonEggs", WSGIS_CMD(cmd_python_eggs), nullptr, RSRC_CONF,
                  "directory for PYTHON_EGG_CACHE"),
    AP_INIT_TAKE1("WSGIPythonHashSeed", WSGIS_CMD(cmd_python_hash_seed), nullptr, RSRC_CONF,
                  "random or 0..4294967295: Python's hash seed (PYTHONHASHSEED)"),
    AP_INIT_FLAG("WSGIDestroyInterpreter", WSGIS_CMD(cmd_destroy_interpreter), nullptr, RSRC_CONF,
                 "Off: Python is not finalised when a process exits (atexit callbacks do not run)"),
    AP_INIT_FLAG("WSGIRestrictStdin", WSGIS_CMD(cmd_restrict_stdin), nullptr, RSRC_CONF,
                 "On: using sys.stdin raises OSError"),
    AP_INIT_FLAG("WSGIRestrictStdout", WSGIS_CMD(cmd_restrict_stdout), nullptr, RSRC_CONF,
                 "On: using sys.stdout (print()) raises OSError; Off: it goes to the error log"),
    AP_INIT_FLAG("WSGIRestrictSignal", WSGIS_CMD(cmd_restrict_signal), nullptr, RSRC_CONF,
                 "On: signal.signal() from applications is ignored, with a warning"),
    AP_INIT_TAKE1("WSGISwitchInterval", WSGIS_CMD(cmd_switch_interval), nullptr, RSRC_CONF,
                  "seconds: sys.setswitchinterval() in every process"),
    AP_INIT_FLAG("WSGIPerInterpreterGIL", WSGIS_CMD(cmd_per_interpreter_gil), nullptr, RSRC_CONF,
                 "Off only: a per-interpreter GIL needs Python 3.12"),
    AP_INIT_FLAG("WSGIFreeThreading", WSGIS_CMD(cmd_free_threading), nullptr, RSRC_CONF,
                 "Off only: free threading needs a free-threaded Python 3.13"),
    AP_INIT_RAW_ARGS("<WSGIInterpreterOptions", WSGIS_CMD(cmd_interpreter_options), nullptr, RSRC_CONF,
                     "[process-group=NAME] [application-group=NAME]: settings for the interpreters selected"),
    AP_INIT_FLAG("WSGILazyInitialization", WSGIS_CMD(cmd_lazy_initialization), nullptr, RSRC_CONF,
                 "On (always): Python starts in the children, never in the Apache parent"),
    AP_INIT_FLAG("WSGIVerboseDebugging", WSGIS_CMD(cmd_verbose_debugging), nullptr, RSRC_CONF,
                 "no effect (as in mod_wsgi 6)"),
    AP_INIT_TAKE1("WSGISlowRequests", WSGIS_CMD(cmd_slow_requests), nullptr, RSRC_CONF,
                  "seconds: log WSGI requests that take longer"),
    AP_INIT_RAW_ARGS("WSGITelemetryService", WSGIS_CMD(cmd_refused_telemetry), nullptr, RSRC_CONF,
                     "not supported (mod_wsgi 6's telemetry reporter)"),
    AP_INIT_RAW_ARGS("WSGITelemetryOptions", WSGIS_CMD(cmd_refused_telemetry), nullptr, RSRC_CONF,
                     "not supported (mod_wsgi 6's telemetry reporter)"),
    AP_INIT_FLAG("WSGIIgnoreActivity", WSGIS_CMD(cmd_dir_flag<&DirConfig::ignore_activity>), nullptr, RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                 "On: requests here do not count as activity for a daemon process's inactivity-timeout"),
    AP_INIT_TAKE_ARGV("WSGITrustedProxyHeaders", WSGIS_CMD(cmd_trusted_proxy_headers), nullptr, OR_FILEINFO,
                      "headers a trusted proxy sets (X-Forwarded-For, X-Forwarded-Proto, ...): used, the others "
                      "of their kind removed"),
    AP_INIT_TAKE_ARGV("WSGITrustedProxies", WSGIS_CMD(cmd_trusted_proxies), nullptr, OR_FILEINFO,
                      "addresses or subnets (10.0.0.0/8, 2001:db8::/32) of the proxies whose headers are trusted"),
    AP_INIT_TAKE_ARGV("WSGIAccessScript", WSGIS_CMD(cmd_access_script), nullptr, OR_AUTHCFG,
                      "script-path [application-group=NAME]: allow_access(environ, host) decides host access"),
    AP_INIT_TAKE_ARGV("WSGIAuthUserScript", WSGIS_CMD(cmd_auth_user_script), nullptr, OR_AUTHCFG,
                      "script-path [application-group=NAME]: check_password()/get_realm_hash() for the "
                      "'wsgi' authentication provider"),
    AP_INIT_TAKE_ARGV("WSGIAuthGroupScript", WSGIS_CMD(cmd_auth_group_script), nullptr, OR_AUTHCFG,
                      "script-path [application-group=NAME]: groups_for_user() for 'Require wsgi-group'"),
    AP_INIT_FLAG("WSGIGroupAuthoritative", WSGIS_CMD(cmd_dir_flag<&DirConfig::group_authoritative>), nullptr, OR_AUTHCFG,
                 "accepted for mod_wsgi configurations; no effect with httpd 2.4's Require"),
    {nullptr, {nullptr}, nullptr, 0, RAW_ARGS, nullptr},
};

}  // namespace wsgi
