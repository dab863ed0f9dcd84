// module.cpp - the module: assembles the layers' hooks and starts Python in
// each child.
//
// Python is started in each child (child_init), never in the Apache parent,
// so graceful and full restarts of the parent carry no Python state.
#include "base/boundary.h"
#include "core/fault.h"
#include "core/options.h"
#include "features/pickle_diagnostics.h"
#include "httpd/config.h"
#include "httpd/hooks.h"
#include "pipeline/setup.h"
#include "runtime/runtime.h"

#include <apr_file_info.h>

#include <malloc.h>

namespace {

using namespace wsgi;

// mod_wsgi registers the same directive names; two modules answering to them
// would split a configuration between them silently.
int pre_config(apr_pool_t*, apr_pool_t*, apr_pool_t*)
{
    if (ap_find_linked_module("mod_wsgi.c")) {
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
    add_pipeline(options, facts);
    pickle_diagnostics::add_to(options, pickle_diagnostics);
    return options;
}

void child_init(apr_pool_t* pchild, server_rec* s)
{
    server_entry(s, "at child start", [&] {
        WSGIS_FAULT("child_init");
        bool pickle = pickle_diagnostics_anywhere(s);
        if (!Runtime::start(pchild, s, runtime_options(s, pickle))) return;
        if (pickle) note_configured_scripts(s);
        preload_scripts(s);
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
    register_request_hooks();
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
