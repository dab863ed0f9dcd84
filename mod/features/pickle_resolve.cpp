// pickle_resolve.cpp - see pickle_resolve.h.
#include "features/pickle_resolve.h"

#include "base/boundary.h"
#include "base/call_wrapper.h"
#include "base/py_error.h"
#include "core/text.h"
#include "pipeline/request_scope.h"
#include "pipeline/scripts.h"

#include <structmember.h>

#include <atomic>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <set>
#include <string>

namespace wsgi::pickle_resolve {

namespace {

// ---- the catalog ---------------------------------------------------------------

struct CatalogSlot {
    std::mutex mutex;          // guards `current` (held for a copy only; never with a wait inside)
    std::shared_ptr<const Catalog> current;
    std::mutex rebuilding;     // one rebuild at a time; others do not wait for it
};

CatalogSlot& slot()
{
    static auto* s = new CatalogSlot;  // no Python objects; lives as long as the process
    return *s;
}

Settings g_settings;  // written before Python starts (add_to), read after

// ---- the last find_class of a script module, per thread ------------------------

struct FindClass {
    std::string module, name;
};
thread_local FindClass t_last_find_class;
// The script this thread's last load executed (set by the script-loaded
// hook): tells a resolve that loaded from one that found it loaded.
thread_local const ScriptEntry* t_loaded = nullptr;

// ---- per interpreter -------------------------------------------------------------

struct ResolveState : InterpreterState {
    bool enabled = false;    // imports of script modules resolve here
    bool tried = false;      // wsgiscript.resolve._install_server() was called
    bool installed = false;  // and succeeded
    PyRef package;           // wsgiscript.resolve once installed
};

// Names whose entry failed its check, said once each (hostile data can name
// the same configured script over and over).
struct Refused {
    std::mutex mutex;
    std::set<std::string> names;
};
Refused& refused()
{
    static auto* r = new Refused;  // strings only
    return *r;
}

std::string utf8_arg(PyObject* o)
{
    if (!o || !PyUnicode_Check(o)) return {};
    Py_ssize_t n = 0;
    const char* s = PyUnicode_AsUTF8AndSize(o, &n);
    if (!s) {
        PyErr_Clear();
        return {};
    }
    return std::string(s, static_cast<size_t>(n));
}

// The entry for `name`, rebuilding the catalog first when it may be stale:
// at most once per kRefreshInterval per process, by one thread (the others
// use what there is). Call without the GIL.
std::shared_ptr<const Catalog> find(const std::string& name, const script_index::Entry** entry)
{
    std::shared_ptr<const Catalog> cat = catalog();
    *entry = cat ? cat->index.find(name) : nullptr;
    if (*entry || !cat || apr_time_now() - cat->built_at < kRefreshInterval) return cat;
    CatalogSlot& s = slot();
    std::unique_lock lock(s.rebuilding, std::try_to_lock);
    if (!lock.owns_lock()) return cat;
    cat = catalog();  // another thread may have rebuilt it meanwhile
    if (apr_time_now() - cat->built_at >= kRefreshInterval) {
        std::shared_ptr<const Catalog> fresh = rebuilt(*cat);
        Runtime* rt = Runtime::current();
        if (fresh->index.by_name.size() != cat->index.by_name.size())
            log_fmt(LogTarget::of(rt ? rt->main_server() : nullptr), APLOG_INFO, "WSGIS0320",
                    "WSGIPickleResolve: index rebuilt in process %" APR_PID_T_FMT
                    " after a miss: %zu scripts (was %zu), %.1f ms",
                    getpid(), fresh->index.by_name.size(), cat->index.by_name.size(), fresh->index.took_ms);
        set_catalog(fresh);
        cat = fresh;
    }
    *entry = cat->index.find(name);
    return cat;
}

// A load of script module `name` is under way in this interpreter (another
// thread runs its top-level code, or this one does): sys.modules has the new
// module, the script table not yet. The import system would hand that
// half-made module to an unpickler, which then misses the names defined
// further down. Wait for the load (the loading lock; this thread's own load
// holds it already). GIL held.
void wait_for_load(Interpreter* in, PyObject* name)
{
    PyObject* m = PyDict_GetItemWithError(PyImport_GetModuleDict(), name);  // borrowed
    if (!m) {
        if (PyErr_Occurred()) PyErr_Clear();
        return;
    }
    ScriptTable& table = in->state<ScriptTable>();
    for (const auto& [key, e] : table.entries) {
        if (!e.module_name) continue;
        int same = PyUnicode_Compare(e.module_name.get(), name);
        if (same == -1 && PyErr_Occurred()) PyErr_Clear();
        if (same != 0) continue;
        if (e.module.get() == m) return;  // loaded, nothing under way
        GilRelease nogil;
        std::lock_guard lock(table.load_mutex);
        return;
    }
}

// "import" of a module not in sys.modules (GIL held, the importing
// interpreter current). Loads the script when the name is one this server
// can serve; never raises: a failure leaves the import to fail as usual.
void on_import(PyObject* args)
{
    if (!PyTuple_Check(args) || PyTuple_GET_SIZE(args) < 1) return;
    PyObject* name_obj = PyTuple_GET_ITEM(args, 0);
    if (!PyUnicode_Check(name_obj) || PyUnicode_GET_LENGTH(name_obj) != 42) return;
    std::string name = utf8_arg(name_obj);
    if (!script_index::is_script_module_name(name)) return;
    Interpreter* in = Interpreter::current();
    if (!in) return;
    ResolveState& st = in->state<ResolveState>();
    if (!st.enabled) return;
    // An explicit None (import blocked) or anything else already there stays.
    int there = PyDict_Contains(PyImport_GetModuleDict(), name_obj);
    if (there != 0) {
        if (there < 0) PyErr_Clear();
        return;
    }

    Runtime* rt = Runtime::current();
    server_rec* main = rt ? rt->main_server() : nullptr;
    const script_index::Entry* entry = nullptr;
    std::shared_ptr<const Catalog> cat;
    std::string why;
    {
        GilRelease nogil;
        cat = find(name, &entry);
        if (entry) why = script_index::check(*entry, entry->place < cat->places.size() ? &cat->places[entry->place] : nullptr);
    }
    if (!entry) return;  // not a script this server serves: the ordinary ModuleNotFoundError
    const script_index::Place& place = cat->places[entry->place];
    LogTarget log = RequestScope::target_or(main);
    if (!why.empty()) {
        Refused& r = refused();
        bool first;
        {
            std::lock_guard lock(r.mutex);
            first = r.names.insert(name).second;
        }
        if (first)
            log_fmt(log, APLOG_WARNING, "WSGIS0324",
                    "WSGIPickleResolve: module '%s' names '%s' (%s), which is not loaded: %s", name.c_str(),
                    entry->path.c_str(), place.source.c_str(), why.c_str());
        return;
    }

    ScriptLoad load;
    load.path = entry->path.c_str();
    load.seen_at = apr_time_now();
    load.reloading = g_settings.reloading;
    load.case_sensitive = cat->case_sensitive;
    load.log = log;
    int status = 0;
    t_loaded = nullptr;
    PyRef module = load_script(in, load, &status);
    const ScriptEntry* loaded = t_loaded;
    t_loaded = nullptr;
    if (!module) {
        if (PyErr_Occurred()) PyErr_Clear();
        return;  // logged by load_script (WSGIS0103, 0106, 0108, ...)
    }
    if (loaded && loaded->path == entry->path) {  // this thread ran it (not another one before it)
        std::string what = t_last_find_class.module == name ? " to unpickle '" + t_last_find_class.name + "'" : "";
        log_fmt(log, APLOG_INFO, "WSGIS0322",
                "WSGIPickleResolve: module '%s' imported by name%s: loaded script '%s' (%s) into interpreter '%s', "
                "generation %ld",
                name.c_str(), what.c_str(), entry->path.c_str(), place.source.c_str(), in->name().c_str(),
                loaded->generation);
    }
}

void on_find_class(PyObject* args)
{
    if (!PyTuple_Check(args) || PyTuple_GET_SIZE(args) < 2) return;
    PyObject* module = PyTuple_GET_ITEM(args, 0);
    if (!PyUnicode_Check(module) || PyUnicode_GET_LENGTH(module) != 42) return;
    std::string m = utf8_arg(module);
    if (!script_index::is_script_module_name(m)) return;
    t_last_find_class.module = std::move(m);
    t_last_find_class.name = utf8_arg(PyTuple_GET_ITEM(args, 1));
    if (!g_settings.resolve) return;
    Interpreter* in = Interpreter::current();
    if (in && in->state<ResolveState>().enabled) wait_for_load(in, module);
}

// The process's audit hook: every audit event of every interpreter passes
// here, so anything but the two events costs one comparison of the name.
// Never fails the event: an internal error is logged and the operation goes
// on as without the hook.
int audit_hook(const char* event, PyObject* args, void*) noexcept
{
    if (event[0] != 'i' && event[0] != 'p') return 0;
    bool import = strcmp(event, "import") == 0;
    if (!import && strcmp(event, "pickle.find_class") != 0) return 0;
    try {
        PendingError outer;  // audit events are raised without an exception pending; keep one if there is
        if (import) {
            if (g_settings.resolve) on_import(args);
        } else {
            on_find_class(args);
        }
        if (PyErr_Occurred()) PyErr_Clear();
        outer.restore();
    } catch (...) {
        Runtime* rt = Runtime::current();
        log_fmt(LogTarget::of(rt ? rt->main_server() : nullptr), APLOG_ERR, "WSGIS0327",
                "WSGIPickleResolve: internal error at the '%s' event: %s", event, describe_current_exception());
        if (PyErr_Occurred()) PyErr_Clear();
    }
    return 0;
}

// ---- retry(func, fallback) ---------------------------------------------------

// retry(func, fallback): call func; on an exception, fallback(exc, args,
// kwargs) may give the result instead (NotImplemented: the exception goes on).
struct RetrySpec {
    static constexpr const char* kName = "wsgiscript.Retry";
    static constexpr const char* kDoc =
        "retry(func, fallback): call func; on an exception, fallback(exc, args, kwargs) may give the result";
    static constexpr const char* kHandlerName = "fallback";
    static constexpr const char* kSignature = "retry(func, fallback)";
    static PyObject* on_exception(CallWrapperObject* w, PyObject* const* args, size_t nargsf, PyObject* kwnames)
    {
        return py_entry([&] { return call_wrapper_on_exception(w, args, nargsf, kwnames, true); });
    }
};
using Retry = CallWrapper<RetrySpec>;

PyObject* py_retry(PyObject*, PyObject* args)
{
    PyObject *func, *fallback;
    if (!PyArg_ParseTuple(args, "OO:retry", &func, &fallback)) return nullptr;
    return Retry::make(func, fallback);
}

// ---- functions for the Python half ----------------------------------------------

// last_find_class(module): the name this thread's last unpickling asked of
// `module` (a script module), or None.
PyObject* py_last_find_class(PyObject*, PyObject* arg)
{
    return py_entry([arg]() -> PyObject* {
        std::string m = utf8_arg(arg);
        if (m.empty() || m != t_last_find_class.module) Py_RETURN_NONE;
        return PyUnicode_FromStringAndSize(t_last_find_class.name.data(),
                                           static_cast<Py_ssize_t>(t_last_find_class.name.size()));
    });
}

// resolve_lookup(module): (path, kind, root, source) of a script this
// server can serve under that name, or None. Looks only, loads nothing.
PyObject* py_resolve_lookup(PyObject*, PyObject* arg)
{
    return py_entry([arg]() -> PyObject* {
        std::string m = utf8_arg(arg);
        std::shared_ptr<const Catalog> cat = catalog();
        const script_index::Entry* e = cat ? cat->index.find(m) : nullptr;
        if (!e) Py_RETURN_NONE;
        PyRef path = PyRef::steal(PyUnicode_DecodeFSDefault(e->path.c_str()));
        PyRef root = PyRef::steal(PyUnicode_DecodeFSDefault(e->root.c_str()));
        PyRef source = PyRef::steal(PyUnicode_DecodeFSDefault(cat->places[e->place].source.c_str()));
        if (!path || !root || !source) return nullptr;
        return Py_BuildValue("(OsOO)", path.get(), e->kind == script_index::PlaceKind::kFile ? "file" : "tree",
                             root.get(), source.get());
    });
}

// resolve_enabled(): WSGIPickleResolve is in effect in this interpreter.
PyObject* py_resolve_enabled(PyObject*, PyObject*)
{
    return py_entry([]() -> PyObject* {
        Interpreter* in = Interpreter::current();
        return PyBool_FromLong(in && g_settings.resolve && in->state<ResolveState>().enabled);
    });
}

PyMethodDef kFunctions[] = {
    {"retry", py_retry, METH_VARARGS, "retry(func, fallback) -> func, whose exceptions fallback may answer"},
    {"last_find_class", py_last_find_class, METH_O,
     "last_find_class(module) -> the name this thread last unpickled from that script module, or None"},
    {"resolve_lookup", py_resolve_lookup, METH_O,
     "resolve_lookup(module) -> (path, kind, root, source) of the script served under that name, or None"},
    {"resolve_enabled", py_resolve_enabled, METH_NOARGS, "WSGIPickleResolve is in effect in this interpreter"},
    {nullptr, nullptr, 0, nullptr},
};

// After each (re)load where the Python half is installed: which load made
// each function and class (for objects the reload left behind).
void script_loaded(Interpreter* in, const ScriptEntry& e, const LogTarget& log)
{
    t_loaded = &e;
    ResolveState& st = in->state<ResolveState>();
    if (!st.installed) return;
    PyRef res = PyRef::steal(
        PyObject_CallMethod(st.package.get(), "_note_loaded", "Ol", e.module_name.get(), e.generation));
    if (!res)
        log_exception(log, APLOG_ERR, "WSGIS0326",
                      "WSGIPickleResolve could not note the functions and classes of script '" + e.path +
                          "' (generation " + std::to_string(e.generation) + ")");
}

}  // namespace

void add_to(RuntimeOptions& options, const Settings& settings)
{
    g_settings = settings;
    options.types.push_back(Retry::type());
    options.private_functions.push_back(kFunctions);
    if (settings.resolve) on_script_loaded(script_loaded);
    if (!settings.resolve && !settings.diagnostics) return;
    options.setup.push_back([](Interpreter* in) {
        // One hook for the process, added with the main interpreter.
        if (!in->is_main()) return true;
        return PySys_AddAuditHook(audit_hook, nullptr) == 0;
    });
}

void set_catalog(std::shared_ptr<const Catalog> cat)
{
    CatalogSlot& s = slot();
    std::lock_guard lock(s.mutex);
    s.current = std::move(cat);
}

std::shared_ptr<const Catalog> catalog()
{
    CatalogSlot& s = slot();
    std::lock_guard lock(s.mutex);
    return s.current;
}

std::shared_ptr<const Catalog> rebuilt(const Catalog& old)
{
    auto fresh = std::make_shared<Catalog>();
    fresh->places = old.places;
    fresh->case_sensitive = old.case_sensitive;
    fresh->index = script_index::build(fresh->places, fresh->case_sensitive);
    fresh->built_at = apr_time_now();
    return fresh;
}

bool ensure_installed(Interpreter* in, server_rec* s)
{
    ResolveState& st = in->state<ResolveState>();
    st.enabled = true;
    if (st.tried) return st.installed;
    // The Python half wraps pickle's entry points: installed once this
    // interpreter has imported pickle (looked at on each request until then,
    // one dict lookup), so an application that never pickles never loads
    // pickle for it. Objects pickled by name are left behind by a reload,
    // which comes in a later request than the import.
    PyObject* pickle = PyDict_GetItemString(PyImport_GetModuleDict(), "pickle");  // borrowed
    if (!pickle) return false;
    st.tried = true;
    PyRef m = PyRef::steal(PyImport_ImportModule("wsgiscript.resolve"));
    PyRef res;
    if (m) res = PyRef::steal(PyObject_CallMethod(m.get(), "_install_server", nullptr));
    if (!res) {
        log_exception(LogTarget::of(s), APLOG_ERR, "WSGIS0326",
                      "WSGIPickleResolve could not be installed in interpreter '" + in->name() +
                          "' (scripts still load by name there; objects of reloaded scripts do not pickle by name)");
        return false;
    }
    st.package = m;
    st.installed = true;
    return true;
}

}  // namespace wsgi::pickle_resolve
