// mod_wsgiscript.cpp - the module: assembles the subsystems' hooks.
//
// Python is started in each child (child_init), never in the Apache parent,
// so graceful and full restarts of the parent carry no Python state.
#include "fault.h"
#include "wsgi_boundary.h"
#include "wsgi_config.h"
#include "wsgi_handler.h"
#include "wsgi_interp.h"
#include "wsgi_options.h"

#include <malloc.h>

namespace {

// mod_wsgi registers the same directive names; two modules answering to them
// would split a configuration between them silently.
int pre_config(apr_pool_t*, apr_pool_t*, apr_pool_t*)
{
    if (ap_find_linked_module("mod_wsgi.c")) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, nullptr,
                     WSGIS_LOGNO(0001) "mod_wsgiscript cannot run in the same server as mod_wsgi "
                                       "(both load: keep one LoadModule line, e.g. 'a2dismod wsgi')");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

// Every script path the configuration names, so diagnostics can say which
// file a module name belongs to before it was ever loaded here.
void note_configured_scripts(wsgi::Runtime* rt, server_rec* main)
{
    bool case_sensitive = wsgi::case_sensitive_of(wsgi::server_config(main));
    for (server_rec* s = main; s; s = s->next) {
        const wsgi::ServerConfig* sc = wsgi::server_config(s);
        const auto* aliases = reinterpret_cast<const wsgi::ScriptAlias*>(sc->aliases->elts);
        for (int i = 0; i < sc->aliases->nelts; ++i) {
            if (aliases[i].regex) continue;
            apr_finfo_t fi;
            if (apr_stat(&fi, aliases[i].target, APR_FINFO_TYPE, main->process->pool) == APR_SUCCESS &&
                fi.filetype == APR_REG)
                rt->note_script(wsgi::module_name_for(aliases[i].target, case_sensitive), aliases[i].target);
        }
        const auto* imports = reinterpret_cast<const wsgi::ImportScript*>(sc->import_scripts->elts);
        for (int i = 0; i < sc->import_scripts->nelts; ++i)
            rt->note_script(wsgi::module_name_for(imports[i].path, case_sensitive), imports[i].path);
    }
}

void child_init(apr_pool_t* pchild, server_rec* s)
{
    wsgi::server_entry(s, "at child start", [&] {
        WSGIS_FAULT("child_init");
        wsgi::Runtime* rt = wsgi::Runtime::start(pchild, s);
        if (!rt) return;
        note_configured_scripts(rt, s);
        wsgi::preload_scripts(s);
        // Starting Python frees most of what compiling its start-up code took;
        // hand those heap pages back instead of keeping them resident in every
        // child (RSS per child, issue 6).
        malloc_trim(0);
    });
}

void register_hooks(apr_pool_t*)
{
    ap_hook_pre_config(pre_config, nullptr, nullptr, APR_HOOK_MIDDLE);
    ap_hook_child_init(child_init, nullptr, nullptr, APR_HOOK_MIDDLE);
    wsgi::register_request_hooks();
}

}  // namespace

extern "C" {
__attribute__((visibility("default"))) module AP_MODULE_DECLARE_DATA wsgiscript_module = {
    STANDARD20_MODULE_STUFF,
    wsgi::create_dir_config,
    wsgi::merge_dir_config,
    wsgi::create_server_config,
    wsgi::merge_server_config,
    wsgi::directives,
    register_hooks,
    AP_MODULE_FLAG_NONE,
};
}
