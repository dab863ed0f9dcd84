// interpreter_options.cpp - see interpreter_options.h.
#include "features/interpreter_options.h"

#include "base/boundary.h"
#include "base/py_error.h"
#include "pipeline/request_scope.h"

#include <unistd.h>

namespace wsgi::interpreter_options {

namespace {

// ---- sys.stdin / sys.stdout restricted -------------------------------------

struct RestrictedObject {
    PyObject_HEAD
    const char* name;  // "sys.stdin" or "sys.stdout" (static strings)
};

PyObject* Restricted_getattro(PyObject* self, PyObject* attr)
{
    // Python's own finalisation flushes sys.stdout unless it says it is
    // closed: it is, then, rather than an error at every process exit.
    if (_Py_IsFinalizing() && PyUnicode_Check(attr) && PyUnicode_CompareWithASCIIString(attr, "closed") == 0)
        Py_RETURN_TRUE;
    PyErr_Format(PyExc_OSError, "%s access restricted by mod_wsgi", reinterpret_cast<RestrictedObject*>(self)->name);
    return nullptr;
}

PyTypeObject RestrictedType = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "mod_wsgi.Restricted";
    t.tp_basicsize = sizeof(RestrictedObject);
    t.tp_dealloc = [](PyObject* self) { Py_TYPE(self)->tp_free(self); };
    t.tp_getattro = Restricted_getattro;
    t.tp_flags = Py_TPFLAGS_DEFAULT;
    t.tp_doc = "sys.stdin or sys.stdout under WSGIRestrictStdin/WSGIRestrictStdout On: any use raises OSError";
    return t;
}();

bool restrict_stream(const char* sys_name, const char* shown)
{
    auto* r = PyObject_New(RestrictedObject, &RestrictedType);
    if (!r) return false;
    r->name = shown;
    PyRef obj = PyRef::steal(reinterpret_cast<PyObject*>(r));
    return PySys_SetObject(sys_name, obj.get()) == 0;
}

// ---- signal.signal() restricted --------------------------------------------

// self: (the real signal.signal, the pid of the process that set this up).
PyObject* intercept_signal(PyObject* self, PyObject* args, PyObject* kwargs)
{
    return py_entry([&]() -> PyObject* {
        PyObject* real = PyTuple_GET_ITEM(self, 0);  // borrowed
        long owner = PyLong_AsLong(PyTuple_GET_ITEM(self, 1));
        if (owner != static_cast<long>(getpid())) return PyObject_Call(real, args, kwargs);
        int signum = 0;
        PyObject* handler = nullptr;
        static const char* kwlist[] = {"signalnum", "handler", nullptr};
        if (!PyArg_ParseTupleAndKeywords(args, kwargs, "iO:signal", const_cast<char**>(kwlist), &signum, &handler))
            return nullptr;
        Runtime* rt = Runtime::current();
        LogTarget to = RequestScope::target_or(rt ? rt->main_server() : nullptr);
        log_fmt(to, APLOG_WARNING, "WSGIS0903",
                "callback registration for signal %d ignored (WSGIRestrictSignal On): signal.signal() called "
                "from here:",
                signum);
        PyRef traceback = PyRef::steal(PyImport_ImportModule("traceback"));
        PyRef stack = traceback ? PyRef::steal(PyObject_CallMethod(traceback.get(), "format_stack", nullptr)) : PyRef();
        PyRef empty = PyRef::steal(PyUnicode_FromString(""));
        PyRef text = stack && empty ? PyRef::steal(PyUnicode_Join(empty.get(), stack.get())) : PyRef();
        const char* utf8 = text ? PyUnicode_AsUTF8(text.get()) : nullptr;
        if (utf8)
            log_lines(to, APLOG_WARNING, "WSGIS0903", utf8);
        else
            PyErr_Clear();
        return Py_NewRef(handler);
    });
}

PyMethodDef kInterceptDef = {"signal", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(intercept_signal)),
                             METH_VARARGS | METH_KEYWORDS,
                             "signal(signalnum, handler): ignored under WSGIRestrictSignal On (logged with the "
                             "caller's stack); returns handler"};

// The interceptor replaces signal() of the C module _signal, which the
// module signal's signal() calls at each call (and imports its names from):
// importing signal itself would cost each interpreter the enum module and
// its classes (about 400 KiB).
bool restrict_signal()
{
    PyRef signal = PyRef::steal(PyImport_ImportModule("_signal"));
    if (!signal) return false;
    PyRef real = PyRef::steal(PyObject_GetAttrString(signal.get(), "signal"));
    if (!real) return false;
    PyRef self = PyRef::steal(Py_BuildValue("(Ol)", real.get(), static_cast<long>(getpid())));
    PyRef intercept = self ? PyRef::steal(PyCFunction_New(&kInterceptDef, self.get())) : PyRef();
    return intercept && PyObject_SetAttrString(signal.get(), "signal", intercept.get()) == 0;
}

bool apply(Interpreter* in, const PythonSettings& settings, const std::string& process_group)
{
    InterpreterSettings is = resolve_interpreter(settings, process_group, in->name());
    for (const std::vector<std::string>& layer : is.python_path_layers)
        if (!add_site_directories(layer)) return false;
    if (is.restrict_stdin && !restrict_stream("stdin", "sys.stdin")) return false;
    if (is.restrict_stdout && !restrict_stream("stdout", "sys.stdout")) return false;
    if (is.restrict_signal && !restrict_signal()) return false;
    return true;
}

}  // namespace

void add_to(RuntimeOptions& options, const PythonSettings& settings, std::string process_group,
            double switch_interval)
{
    options.write_bytecode = settings.write_bytecode();
    options.optimization_level = settings.optimization_level();
    options.warn_options = settings.warnings;
    options.use_hash_seed = settings.hash_seed.has_value();
    options.hash_seed = settings.hash_seed.value_or(0);
    options.destroy_interpreters = settings.destroy();
    options.switch_interval =
        switch_interval > 0 ? switch_interval : resolve_switch_interval(settings, process_group);
    options.types.push_back(&RestrictedType);
    options.setup.push_back([settings, process_group](Interpreter* in) { return apply(in, settings, process_group); });
}

}  // namespace wsgi::interpreter_options
