// pickle_resolve.h - WSGIPickleResolve (docs/pickle.md): importing a script
// module by name ("_mod_wsgi_<md5>") that is not loaded in this interpreter
// loads the script this server would load under that name, as a first
// request would; pickling a function, class or instance of a script that has
// been reloaded since the object was made pickles it by its name.
//
// The native half:
//  * a runtime audit hook (PySys_AddAuditHook, one per process) that, on the
//    "import" event for a script module name, in an interpreter where the
//    feature is installed, looks the name up in the catalog and loads the
//    script through pipeline/scripts (same module, registry entry,
//    generation, loaded once under concurrency); on "pickle.find_class" it
//    remembers, per thread, the last (module, name) asked of a script module
//    (so pickle diagnostics can name the object of a failed pickle.load(f));
//  * `_wsgiscript.retry(func, fallback)`: calls func; on an Exception,
//    fallback(exc, args, kwargs) may return a result instead (NotImplemented:
//    the original exception is raised unchanged); the by-name pickling of
//    wsgiscript.resolve rides on it;
//  * the catalog: the index of scripts the configuration can serve
//    (core/script_index), set by the glue before any process forks, rebuilt
//    on a miss at most every kRefreshInterval per process.
//
// GIL: functions taking an Interpreter need it held with `in` current; the
// catalog functions need no GIL.
#pragma once

#include "core/script_index.h"
#include "runtime/runtime.h"

#include <memory>

namespace wsgi::pickle_resolve {

// Scripts this configuration can serve, with what they were found from.
struct Catalog {
    std::vector<script_index::Place> places;
    script_index::Index index;
    bool case_sensitive = true;
    apr_time_t built_at = 0;
};

// At most one rebuild per process this often, on a lookup miss.
constexpr apr_time_t kRefreshInterval = apr_time_from_sec(10);

struct Settings {
    bool resolve = false;      // some server has WSGIPickleResolve On
    bool diagnostics = false;  // some server has WSGIPickleDiagnostics On (names for pickle.load(f))
    bool reloading = true;     // load.reloading for resolved loads (daemon processes: false)
};

// Before Python starts: the retry type and the functions (always); the
// audit hook and the script-loaded hook when `settings` asks for them.
void add_to(RuntimeOptions& options, const Settings& settings);

// The catalog in force in this process (no GIL needed).
void set_catalog(std::shared_ptr<const Catalog> catalog);
std::shared_ptr<const Catalog> catalog();
// A new catalog from the same places, scanned again (no GIL needed).
std::shared_ptr<const Catalog> rebuilt(const Catalog& old);

// The feature in `in`: its imports of script modules resolve, and
// wsgiscript.resolve's by-name pickling is installed (once, as soon as the
// interpreter has imported pickle; before pickle diagnostics, which must
// wrap it, or under them). GIL held, `in` current. false while not
// installed; false with WSGIS0326 logged against s when the Python half
// failed (the import half works regardless).
bool ensure_installed(Interpreter* in, server_rec* s);

}  // namespace wsgi::pickle_resolve
