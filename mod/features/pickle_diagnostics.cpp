// pickle_diagnostics.cpp - see pickle_diagnostics.h.
#include "features/pickle_diagnostics.h"

#include "base/boundary.h"
#include "base/py_error.h"
#include "pipeline/scripts.h"

#include <structmember.h>

#include <cstddef>
#include <map>
#include <mutex>

namespace wsgi::pickle_diagnostics {

namespace {

// ---- the guard ------------------------------------------------------------

struct GuardObject {
    PyObject_HEAD
    PyObject* func;
    PyObject* on_error;
    vectorcallfunc vectorcall;
};

// Show the pending exception to on_error, then restore it as it was.
void report(GuardObject* g, PyObject* const* args, size_t nargsf, PyObject* kwnames)
{
    PendingError pending;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    PyRef pos = PyRef::steal(PyTuple_New(nargs));
    PyRef kw = PyRef::steal(PyDict_New());
    bool ok = pos && kw;
    for (Py_ssize_t i = 0; ok && i < nargs; ++i)
        PyTuple_SET_ITEM(pos.get(), i, PyRef::borrow(args[i]).release());  // the tuple steals it
    if (ok && kwnames) {
        for (Py_ssize_t i = 0; ok && i < PyTuple_GET_SIZE(kwnames); ++i)
            ok = PyDict_SetItem(kw.get(), PyTuple_GET_ITEM(kwnames, i), args[nargs + i]) == 0;
    }
    if (ok) {
        PyObject* exc = pending.value() ? pending.value() : Py_None;
        PyRef res = PyRef::steal(PyObject_CallFunctionObjArgs(g->on_error, exc, pos.get(), kw.get(), nullptr));
        ok = static_cast<bool>(res);
    }
    if (!ok) PyErr_WriteUnraisable(g->on_error);
    pending.restore();
}

PyObject* Guard_vectorcall(PyObject* self, PyObject* const* args, size_t nargsf, PyObject* kwnames)
{
    auto* g = reinterpret_cast<GuardObject*>(self);
    PyObject* res = PyObject_Vectorcall(g->func, args, nargsf, kwnames);
    if (!res && PyErr_ExceptionMatches(PyExc_Exception)) report(g, args, nargsf, kwnames);
    return res;
}

void Guard_dealloc(PyObject* self)
{
    auto* g = reinterpret_cast<GuardObject*>(self);
    PyObject_GC_UnTrack(self);
    Py_CLEAR(g->func);
    Py_CLEAR(g->on_error);
    PyObject_GC_Del(self);
}

int Guard_traverse(PyObject* self, visitproc visit, void* arg)
{
    auto* g = reinterpret_cast<GuardObject*>(self);
    Py_VISIT(g->func);
    Py_VISIT(g->on_error);
    return 0;
}

int Guard_clear(PyObject* self)
{
    auto* g = reinterpret_cast<GuardObject*>(self);
    Py_CLEAR(g->func);
    Py_CLEAR(g->on_error);
    return 0;
}

PyObject* Guard_repr(PyObject* self)
{
    return PyUnicode_FromFormat("<wsgiscript guard of %R>", reinterpret_cast<GuardObject*>(self)->func);
}

PyObject* Guard_getattro(PyObject* self, PyObject* name)
{
    // __name__, __doc__, __qualname__, __module__ and the rest come from the
    // wrapped function, so the guard looks like what it wraps.
    PyObject* res = PyObject_GenericGetAttr(self, name);
    if (res || !PyErr_ExceptionMatches(PyExc_AttributeError)) return res;
    PyErr_Clear();
    return PyObject_GetAttr(reinterpret_cast<GuardObject*>(self)->func, name);
}

PyMemberDef Guard_members[] = {
    {"__wrapped__", T_OBJECT, offsetof(GuardObject, func), READONLY, nullptr},
    {"on_error", T_OBJECT, offsetof(GuardObject, on_error), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr},
};

PyTypeObject GuardType = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "wsgiscript.Guard";
    t.tp_basicsize = sizeof(GuardObject);
    t.tp_dealloc = Guard_dealloc;
    t.tp_vectorcall_offset = offsetof(GuardObject, vectorcall);
    t.tp_repr = Guard_repr;
    t.tp_call = PyVectorcall_Call;
    t.tp_getattro = Guard_getattro;
    t.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL;
    t.tp_doc = "guard(func, on_error): call func; show its exceptions to on_error, then re-raise";
    t.tp_traverse = Guard_traverse;
    t.tp_clear = Guard_clear;
    t.tp_members = Guard_members;
    return t;
}();

PyObject* guard_new(PyObject* func, PyObject* on_error)
{
    if (!PyCallable_Check(func) || !PyCallable_Check(on_error)) {
        PyErr_SetString(PyExc_TypeError, "guard(func, on_error): both must be callable");
        return nullptr;
    }
    auto* g = PyObject_GC_New(GuardObject, &GuardType);
    if (!g) return nullptr;
    g->func = PyRef::borrow(func).release();
    g->on_error = PyRef::borrow(on_error).release();
    g->vectorcall = Guard_vectorcall;
    PyObject_GC_Track(g);
    return reinterpret_cast<PyObject*>(g);
}

PyObject* py_guard(PyObject*, PyObject* args)
{
    PyObject *func, *on_error;
    if (!PyArg_ParseTuple(args, "OO:guard", &func, &on_error)) return nullptr;
    return guard_new(func, on_error);
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
    options.types.push_back(&GuardType);
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
