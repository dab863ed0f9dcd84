// pickle_diagnostics.cpp - see pickle_diagnostics.h.
#include "features/pickle_diagnostics.h"

#include "base/boundary.h"
#include "base/call_wrapper.h"
#include "base/py_error.h"
#include "pipeline/scripts.h"

#include <structmember.h>

#include <cstddef>
#include <map>
#include <mutex>

namespace wsgi::pickle_diagnostics {

namespace {

// ---- the guard ------------------------------------------------------------

// guard(func, on_error): call func; show its exceptions to on_error (which
// may log them), then let them go on as they were.
struct GuardSpec {
    static constexpr const char* kName = "wsgiscript.Guard";
    static constexpr const char* kDoc = "guard(func, on_error): call func; show its exceptions to on_error, then re-raise";
    static constexpr const char* kHandlerName = "on_error";
    static constexpr const char* kSignature = "guard(func, on_error)";
    static PyObject* on_exception(CallWrapperObject* w, PyObject* const* args, size_t nargsf, PyObject* kwnames)
    {
        return call_wrapper_on_exception(w, args, nargsf, kwnames, false);
    }
};
using Guard = CallWrapper<GuardSpec>;

PyObject* py_guard(PyObject*, PyObject* args)
{
    PyObject *func, *on_error;
    if (!PyArg_ParseTuple(args, "OO:guard", &func, &on_error)) return nullptr;
    return Guard::make(func, on_error);
}

// ---- scripts this server can load ------------------------------------------

struct ConfiguredScripts {
    std::mutex mutex;  // may be taken with the GIL held (never takes it)
    std::map<std::string, std::string> by_name;
};

ConfiguredScripts& configured()
{
    static auto* scripts = new ConfiguredScripts;  // strings only; lives as long as the process
    return *scripts;
}

PyObject* py_configured_scripts(PyObject*, PyObject*)
{
    return py_entry([]() -> PyObject* {
        PyRef d = PyRef::steal(PyDict_New());
        if (!d) return nullptr;
        ConfiguredScripts& c = configured();
        std::map<std::string, std::string> copy;
        {
            std::lock_guard lock(c.mutex);
            copy = c.by_name;
        }
        for (const auto& [name, path] : copy) {
            PyRef v = PyRef::steal(PyUnicode_DecodeFSDefault(path.c_str()));
            if (!v || PyDict_SetItemString(d.get(), name.c_str(), v.get()) < 0) return nullptr;
        }
        return d.release();
    });
}

PyMethodDef kFunctions[] = {
    {"configured_scripts", py_configured_scripts, METH_NOARGS,
     "{module name: path} of scripts configured or loaded in this process"},
    {"guard", py_guard, METH_VARARGS, "guard(func, on_error) -> fast exception-observing wrapper"},
    {nullptr, nullptr, 0, nullptr},
};

// ---- per interpreter ---------------------------------------------------------

struct PickleState : InterpreterState {
    bool tried = false;      // install() was called (once, whatever its outcome)
    bool installed = false;  // and succeeded
    PyRef package;           // wsgiscript.pickle_diagnostics once installed
};

// Every (re)load: scripts loaded here are named in entries; where the
// package is installed it learns the generation of the script's
// functions and classes.
void script_loaded(Interpreter* in, const ScriptEntry& e, const LogTarget& log)
{
    note_configured(PyUnicode_AsUTF8(e.module_name.get()), e.path);
    PickleState& st = in->state<PickleState>();
    if (!st.installed) return;
    PyRef res = PyRef::steal(
        PyObject_CallMethod(st.package.get(), "note_loaded", "Ol", e.module_name.get(), e.generation));
    if (!res)
        log_exception(log, APLOG_ERR, "WSGIS0304",
                      "pickle diagnostics could not note the functions and classes of script '" + e.path +
                          "' (generation " + std::to_string(e.generation) + ")");
}

}  // namespace

void add_to(RuntimeOptions& options, bool enabled)
{
    options.types.push_back(Guard::type());
    options.private_functions.push_back(kFunctions);
    if (enabled) on_script_loaded(script_loaded);
}

void note_configured(const std::string& module_name, const std::string& path)
{
    ConfiguredScripts& c = configured();
    std::lock_guard lock(c.mutex);
    c.by_name.emplace(module_name, path);
}

bool ensure_installed(Interpreter* in, server_rec* s)
{
    PickleState& st = in->state<PickleState>();
    if (st.tried) return st.installed;
    st.tried = true;
    PyRef m = PyRef::steal(PyImport_ImportModule("wsgiscript.pickle_diagnostics"));
    PyRef res;
    if (m) res = PyRef::steal(PyObject_CallMethod(m.get(), "install", nullptr));
    if (!res) {
        log_exception(LogTarget::of(s), APLOG_ERR, "WSGIS0302",
                      "WSGIPickleDiagnostics could not be installed in interpreter '" + in->name() + "'");
        return false;
    }
    st.package = m;
    st.installed = true;
    return true;
}

}  // namespace wsgi::pickle_diagnostics
