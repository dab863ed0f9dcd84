// module.cpp - the module: assembles the layers' hooks and starts Python in
// each child.
//
// Python is started in each child (child_init), never in the Apache parent,
// so graceful and full restarts of the parent carry no Python state.
#include "base/boundary.h"
#include "core/fault.h"
#include "core/options.h"
#include "daemon/client.h"
#include "daemon/supervisor.h"
#include "features/interpreter_options.h"
#include "features/pickle_diagnostics.h"
#include "features/pickle_resolve.h"
#include "httpd/auth_hooks.h"
#include "httpd/config.h"
#include "httpd/hooks.h"
#include "httpd/python_config.h"
#include "httpd/resolve_index.h"
#include "httpd/slow_requests.h"
#include "pipeline/setup.h"
#include "runtime/runtime.h"

#include <apr_file_info.h>

#include <malloc.h>

namespace {

using namespace wsgi;

// mod_wsgi registers the same directive names; two modules answering to them
// would split a configuration between them silently. (This module answers
// to mod_wsgi's name too, so it looks for another module of that name.)
int pre_config(apr_pool_t*, apr_pool_t*, apr_pool_t*)
{
    bool other = false;
    for (module* m = ap_top_module; m; m = m->next)
        if (m != &wsgiscript_module && m->name && strcmp(m->name, "mod_wsgi.c") == 0) other = true;
    if (other) {
        log_line(LogTarget::of(static_cast<server_rec*>(nullptr)), APLOG_CRIT, "WSGIS0001",
                 "mod_wsgiscript cannot run in the same server as mod_wsgi (both load: keep one LoadModule line, "
                 "e.g. 'a2dismod wsgi')");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

bool pickle_diagnostics_anywhere(server_rec* main)
{
    for (server_rec* s = main; s; s = s->next)
        if (pickle_diagnostics_of(server_config(s))) return true;
    return false;
}

// Every script path the configuration names, so diagnostics can say which
// file a module name belongs to before it was ever loaded here.
void note_configured_scripts(server_rec* main)
{
    bool case_sensitive = case_sensitive_of(server_config(main));
    for (server_rec* s = main; s; s = s->next) {
        const ServerConfig* sc = server_config(s);
        for (const ScriptAlias& a : aliases_of(sc)) {
            if (a.regex) continue;
            apr_finfo_t fi;
            if (apr_stat(&fi, a.target, APR_FINFO_TYPE, main->process->pool) == APR_SUCCESS && fi.filetype == APR_REG)
                pickle_diagnostics::note_configured(module_name_for(a.target, case_sensitive), a.target);
        }
        for (const ImportScript& i : imports_of(sc))
            pickle_diagnostics::note_configured(module_name_for(i.path, case_sensitive), i.path);
    }
}

// What Python of this child starts with: the configuration's part, then
// what each layer adds.
RuntimeOptions runtime_options(server_rec* s, bool pickle_diagnostics)
{
    const ServerConfig* sc = server_config(s);
    RuntimeOptions options;
    options.python_home = sc->python_home;
    for (int i = 0; i < sc->python_path->nelts; ++i)
        options.python_path.emplace_back(reinterpret_cast<const char**>(sc->python_path->elts)[i]);
    int threads = 1, daemons = 1;
    ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    ap_mpm_query(AP_MPMQ_MAX_DAEMONS, &daemons);
    options.multithread = threads > 1;
    options.multiprocess = daemons > 1;
    ProcessFacts facts;
    facts.maximum_processes = daemons;
    facts.threads_per_process = threads;
    facts.server_metrics = server_metrics_of(sc);
    add_pipeline(options, facts);
    pickle_diagnostics::add_to(options, pickle_diagnostics);
    interpreter_options::add_to(options, python_settings(s->process->pconf), "");
    pickle_resolve::add_to(options, {pickle_resolve_anywhere(s), pickle_diagnostics, true});
    return options;
}

// The scripts each daemon process group loads at its start, checking that
// every process group a WSGIImportScript or WSGIScriptAlias names exists for
// its server. An error message naming the directive's place, or "".
std::string plan_daemon_preloads(DaemonSet& set, server_rec* main)
{
    for (DaemonGroup* g : set.groups) g->preload.clear();
    auto group_for = [&](server_rec* s, const char* name, const char* where, std::string* err) -> DaemonGroup* {
        if (!name || !*name || !strcmp(name, "%{GLOBAL}") || !strncmp(name, "%{ENV:", 6)) return nullptr;
        const DaemonGroup* g = find_daemon_group(set, name, s, main);
        if (!g)
            *err = std::string(where) + ": process-group=" + name + " names no WSGIDaemonProcess of this server " +
                   "(a group of a virtual host is usable only there and in virtual hosts of the same ServerName)";
        return const_cast<DaemonGroup*>(g);
    };
    std::string err;
    for (server_rec* s = main; s; s = s->next) {
        const ServerConfig* sc = server_config(s);
        for (const ImportScript& i : imports_of(sc)) {
            DaemonGroup* g = group_for(s, i.process_group, i.defined_in, &err);
            if (!err.empty()) return err;
            if (g) g->preload.push_back({i.path, static_group_name(s, i.app_group)});
        }
        for (const ScriptAlias& a : aliases_of(sc)) {
            DaemonGroup* g = group_for(s, a.process_group, a.defined_in, &err);
            if (!err.empty()) return err;
            // Like mod_wsgi: an alias naming both groups is loaded at start too.
            if (!g || a.regex || !a.app_group || strstr(a.app_group, "%{RESOURCE}") || strstr(a.app_group, "%{ENV:"))
                continue;
            apr_finfo_t fi;
            if (apr_stat(&fi, a.target, APR_FINFO_TYPE, s->process->pool) == APR_SUCCESS && fi.filetype == APR_REG)
                g->preload.push_back({a.target, static_group_name(s, a.app_group)});
        }
    }
    return {};
}

// mod_wsgi directives this module accepts so that their configurations
// start, whose mechanism it does not have: said once at each start, never
// silently ignored.
void note_accepted_settings(server_rec* s, const ServerConfig* sc)
{
    if (sc->socket_rotation != kUnset)
        log_fmt(LogTarget::of(s), APLOG_INFO, "WSGIS0617",
                "WSGISocketRotation %s: daemon sockets keep their path across restarts in any case (what mod_wsgi "
                "does with Off), and the old processes serve the old children's kept connections",
                sc->socket_rotation ? "On" : "Off");
    if (sc->accept_mutex)
        log_fmt(LogTarget::of(s), APLOG_INFO, "WSGIS0617",
                "WSGIAcceptMutex %s: daemon processes accept their connections without a mutex (non-blocking "
                "accept in each process's own event loop), so no mutex is made",
                sc->accept_mutex);
}

// After the configuration is read, also under "apache2 -t" (which runs no
// post_config): the daemon groups' accounts and process-group= names are
// checked here, so a configuration test refuses what a start would.
int check_config(apr_pool_t* pconf, apr_pool_t*, apr_pool_t*, server_rec* s)
{
    int status = OK;
    server_entry(s, "checking the daemon process groups", [&] {
        DaemonSet& set = daemon_set(pconf);
        const ServerConfig* sc = server_config(s);
        set.shared.python_home = sc->python_home;
        set.shared.python_path.clear();
        for (int i = 0; i < sc->python_path->nelts; ++i)
            set.shared.python_path.emplace_back(reinterpret_cast<const char**>(sc->python_path->elts)[i]);
        set.shared.case_sensitive = case_sensitive_of(sc);
        set.shared.pickle_diagnostics = pickle_diagnostics_anywhere(s);
        set.shared.pickle_resolve = pickle_resolve_anywhere(s);
        for (DaemonGroup* g : set.groups) g->preload.clear();
        set.shared.python = &python_settings(pconf);
        std::string err = plan_daemon_preloads(set, s);
        if (err.empty()) err = resolve_daemon_groups(set);
        if (!err.empty()) {
            log_line(LogTarget::of(s), APLOG_CRIT, "WSGIS0603", err);
            status = HTTP_INTERNAL_SERVER_ERROR;
        }
    });
    return status;
}

int post_config(apr_pool_t* pconf, apr_pool_t*, apr_pool_t*, server_rec* s)
{
    int status = OK;
    server_entry(s, "starting the daemon process groups", [&] {
        DaemonSet& set = daemon_set(pconf);
        const ServerConfig* sc = server_config(s);
        // The first pass at start-up only checks the configuration; a
        // configuration test never starts anything.
        if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG ||
            ap_state_query(AP_SQ_RUN_MODE) != AP_SQ_RM_NORMAL)
            return;
        note_accepted_settings(s, sc);
        const char* prefix = sc->socket_prefix ? sc->socket_prefix : ap_runtime_dir_relative(pconf, "wsgiscript");
        if (!start_daemons(pconf, s, set, prefix)) status = HTTP_INTERNAL_SERVER_ERROR;
    });
    return status;
}

void child_init(apr_pool_t* pchild, server_rec* s)
{
    server_entry(s, "at child start", [&] {
        WSGIS_FAULT("child_init");
        close_daemon_listeners(daemon_set(s->process->pconf));
        apr_pool_cleanup_register(
            pchild, nullptr, [](void*) -> apr_status_t { close_kept_connections(); return APR_SUCCESS; },
            apr_pool_cleanup_null);
        // With WSGIRestrictEmbedded On no application runs here; Python
        // starts only for the authentication and access hook scripts and
        // dispatch scripts (they always run in the Apache children, as in
        // mod_wsgi), and loads nothing in advance.
        bool restricted = restrict_embedded_of(server_config(s));
        if (restricted && !hook_scripts_configured(s->process->pconf)) return;
        bool pickle = pickle_diagnostics_anywhere(s);
        const PythonSettings& python = python_settings(s->process->pconf);
        if (!python.python_eggs.empty()) setenv("PYTHON_EGG_CACHE", python.python_eggs.c_str(), 1);
        if (!Runtime::start(pchild, s, runtime_options(s, pickle))) return;
        if (pickle) note_configured_scripts(s);
        if (!restricted) preload_scripts(s);
        // Starting Python frees most of what compiling its start-up code took;
        // hand those heap pages back instead of keeping them resident in every
        // child (RSS per child, issue 6).
        malloc_trim(0);
    });
}

void register_hooks(apr_pool_t* p)
{
    ap_hook_pre_config(pre_config, nullptr, nullptr, APR_HOOK_MIDDLE);
    ap_hook_check_config(check_config, nullptr, nullptr, APR_HOOK_MIDDLE);
    ap_hook_post_config(post_config, nullptr, nullptr, APR_HOOK_MIDDLE);
    ap_hook_child_init(child_init, nullptr, nullptr, APR_HOOK_MIDDLE);
    register_request_hooks();
    register_auth_hooks(p);
    register_slow_request_hook();
    register_resolve_hooks();
}

}  // namespace

extern "C" {
// Named "mod_wsgi.c" (the name <IfModule mod_wsgi.c> looks for), and also
// exported as wsgi_module, so mod_wsgi's own configurations, which wrap
// their directives in <IfModule mod_wsgi.c> or <IfModule wsgi_module>
// (after "LoadModule wsgi_module .../mod_wsgiscript.so"), keep working.
__attribute__((visibility("default"))) module AP_MODULE_DECLARE_DATA wsgiscript_module = {
    MODULE_MAGIC_NUMBER_MAJOR,
    MODULE_MAGIC_NUMBER_MINOR,
    -1,
    "mod_wsgi.c",
    nullptr,
    nullptr,
    MODULE_MAGIC_COOKIE,
    nullptr,
    wsgi::create_dir_config,
    wsgi::merge_dir_config,
    wsgi::create_server_config,
    wsgi::merge_server_config,
    wsgi::directives,
    register_hooks,
    AP_MODULE_FLAG_NONE,
};
__attribute__((visibility("default"))) extern module AP_MODULE_DECLARE_DATA wsgi_module
    __attribute__((alias("wsgiscript_module")));
}
