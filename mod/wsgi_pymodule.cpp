// wsgi_pymodule.cpp - per-interpreter setup (see wsgi_pymodule.h).
#include "wsgi_pymodule.h"

#include "py_ref.h"
#include "wsgi_boundary.h"
#include "wsgi_config.h"
#include "wsgi_embedded.h"
#include "wsgi_guard.h"
#include "wsgi_input.h"
#include "wsgi_interp.h"
#include "wsgi_logging.h"
#include "wsgi_logobj.h"
#include "wsgi_response.h"

namespace wsgi {

namespace {

// The import hook that serves the embedded package from `_sources`.
const char kFinderSource[] = R"PY(
import sys

class WsgiscriptFinder:
    """Imports the wsgiscript package compiled into mod_wsgiscript."""

    def __init__(self, sources):
        self._sources = sources

    def find_spec(self, name, path=None, target=None):
        entry = self._sources.get(name)
        if entry is None:
            return None
        # The bootstrap's own class: importlib.machinery would import the
        # importlib package and warnings into every child (RSS, issue 6).
        from _frozen_importlib import ModuleSpec
        spec = ModuleSpec(name, self, origin=entry[1], is_package=entry[2])
        spec.has_location = True
        return spec

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        index, filename, _ = self._sources[module.__spec__.name]
        exec(compile(_embedded_source(index), filename, 'exec', dont_inherit=True), module.__dict__)

    def get_source(self, name):
        return _embedded_source(self._sources[name][0])

sys.meta_path.insert(0, WsgiscriptFinder(_sources))
)PY";

bool is_tag(std::string_view tag)
{
    if (tag.size() != 9 || tag.substr(0, 5) != "WSGIS") return false;
    for (char c : tag.substr(5))
        if (c < '0' || c > '9') return false;
    return true;
}

// log(level, tag, text): each line of text to the error log, "TAG: line",
// for the request this thread serves (else the server). The legacy form
// log(level, text) (text already starting with "WSGISnnnn: ") is accepted
// while the Python package moves to the tagged form.
PyObject* py_log(PyObject*, PyObject* args)
{
    return py_entry([&]() -> PyObject* {
        int level = APLOG_ERR;
        const char *tag = nullptr, *text = nullptr;
        Py_ssize_t tag_len = 0, len = 0;
        if (PyTuple_GET_SIZE(args) == 2) {
            if (!PyArg_ParseTuple(args, "is#:log", &level, &text, &len)) return nullptr;
            std::string_view all(text, static_cast<size_t>(len));
            if (all.size() < 11 || !is_tag(all.substr(0, 9)) || all.substr(9, 2) != ": ") {
                PyErr_SetString(PyExc_ValueError, "log(level, text): text must start with 'WSGISnnnn: '");
                return nullptr;
            }
            tag = text;
            tag_len = 9;
            text += 11;
            len -= 11;
        } else if (!PyArg_ParseTuple(args, "is#s#:log", &level, &tag, &tag_len, &text, &len)) {
            return nullptr;
        }
        if (level < APLOG_EMERG || level > APLOG_TRACE8) {
            PyErr_Format(PyExc_ValueError, "log level %d is not an Apache level (0..15)", level);
            return nullptr;
        }
        std::string t(tag, static_cast<size_t>(tag_len));
        if (!is_tag(t)) {
            PyErr_Format(PyExc_ValueError, "log tag %R is not of the form WSGISnnnn", PyTuple_GET_ITEM(args, 1));
            return nullptr;
        }
        request_rec* r = RequestScope::current();
        Runtime* rt = Runtime::current();
        LogTarget to = r ? LogTarget::of(r) : LogTarget::of(rt ? rt->main_server() : nullptr);
        log_lines(to, level, t.c_str(), std::string_view(text, static_cast<size_t>(len)));
        Py_RETURN_NONE;
    });
}

double seconds(apr_time_t t) { return static_cast<double>(t) / APR_USEC_PER_SEC; }

// loaded_scripts(): {module name: (path, generation, mtime, loaded_at,
// reloaded_at or None, ((generation, mtime, at), ...))} of this interpreter.
PyObject* py_loaded_scripts(PyObject*, PyObject*)
{
    return py_entry([]() -> PyObject* {
        PyRef d = PyRef::steal(PyDict_New());
        Interpreter* in = Interpreter::current();
        if (!d || !in) return d.release();
        for (const auto& [key, e] : in->scripts) {
            if (!e.module_name || e.history.empty()) continue;
            PyRef history = PyRef::steal(PyTuple_New(static_cast<Py_ssize_t>(e.history.size())));
            if (!history) return nullptr;
            for (size_t i = 0; i < e.history.size(); ++i) {
                const LoadEvent& ev = e.history[i];
                PyObject* item = Py_BuildValue("(lLd)", ev.generation, static_cast<long long>(ev.mtime), seconds(ev.at));
                if (!item) return nullptr;
                PyTuple_SET_ITEM(history.get(), static_cast<Py_ssize_t>(i), item);
            }
            PyRef path = PyRef::steal(PyUnicode_DecodeFSDefault(e.path.c_str()));
            PyRef reloaded = e.last_reloaded ? PyRef::steal(PyFloat_FromDouble(seconds(e.last_reloaded)))
                                             : PyRef::borrow(Py_None);
            if (!path || !reloaded) return nullptr;
            PyRef rec = PyRef::steal(Py_BuildValue("(OlLdOO)", path.get(), e.generation,
                                                   static_cast<long long>(e.mtime), seconds(e.first_loaded),
                                                   reloaded.get(), history.get()));
            if (!rec || PyDict_SetItem(d.get(), e.module_name.get(), rec.get()) < 0) return nullptr;
        }
        return d.release();
    });
}

PyObject* py_request_info(PyObject*, PyObject*)
{
    request_rec* r = RequestScope::current();
    if (!r) Py_RETURN_NONE;
    return Py_BuildValue("(sss)", r->useragent_ip ? r->useragent_ip : "", r->method ? r->method : "",
                         r->unparsed_uri ? r->unparsed_uri : "");
}

PyObject* py_configured_scripts(PyObject*, PyObject*)
{
    return py_entry([]() -> PyObject* {
        PyRef d = PyRef::steal(PyDict_New());
        if (!d) return nullptr;
        if (Runtime* rt = Runtime::current()) {
            for (const auto& [name, path] : rt->known_scripts()) {
                PyRef v = PyRef::steal(PyUnicode_DecodeFSDefault(path.c_str()));
                if (!v || PyDict_SetItemString(d.get(), name.c_str(), v.get()) < 0) return nullptr;
            }
        }
        return d.release();
    });
}

PyObject* py_guard(PyObject*, PyObject* args)
{
    PyObject *func, *on_error;
    if (!PyArg_ParseTuple(args, "OO:guard", &func, &on_error)) return nullptr;
    return guard_new(func, on_error);
}

PyMethodDef kPrivateMethods[] = {
    {"log", py_log, METH_VARARGS, "log(level, tag, text): write lines 'TAG: line' to the Apache error log"},
    {"loaded_scripts", py_loaded_scripts, METH_NOARGS,
     "{module name: (path, generation, mtime, loaded_at, reloaded_at, history)} of this interpreter"},
    {"request_info", py_request_info, METH_NOARGS,
     "(client_ip, method, uri) of the request this thread serves, or None"},
    {"configured_scripts", py_configured_scripts, METH_NOARGS,
     "{module name: path} of scripts configured or loaded in this process"},
    {"guard", py_guard, METH_VARARGS, "guard(func, on_error) -> fast exception-observing wrapper"},
    {nullptr, nullptr, 0, nullptr},
};

bool add(PyObject* module, const char* name, PyObject* value)  // steals value
{
    if (!value) return false;
    if (PyModule_AddObject(module, name, value) < 0) {
        Py_DECREF(value);
        return false;
    }
    return true;
}

bool install_module(PyObject* module)
{
    PyRef name = PyRef::steal(PyModule_GetNameObject(module));
    return name && PyDict_SetItem(PyImport_GetModuleDict(), name.get(), module) == 0;
}

bool make_private_module(Runtime* rt)
{
    PyRef m = PyRef::steal(PyModule_New("_wsgiscript"));
    if (!m || PyModule_AddFunctions(m.get(), kPrivateMethods) < 0) return false;
    if (!add(m.get(), "multithread", PyBool_FromLong(rt && rt->multithread()))) return false;
    return install_module(m.get());
}

bool make_mod_wsgi_module(Interpreter* in)
{
    PyRef m = PyRef::steal(PyModule_New("mod_wsgi"));
    if (!m) return false;
    int threads = 1, daemons = 1;
    ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    ap_mpm_query(AP_MPMQ_MAX_DAEMONS, &daemons);
    return add(m.get(), "version", Py_BuildValue("(iii)", 4, 9, 4)) &&
           add(m.get(), "wsgiscript_version", PyUnicode_FromString(WSGISCRIPT_VERSION)) &&
           add(m.get(), "process_group", PyUnicode_FromString("")) &&
           add(m.get(), "application_group", PyUnicode_FromString(in->name().c_str())) &&
           add(m.get(), "maximum_processes", PyLong_FromLong(daemons)) &&
           add(m.get(), "threads_per_process", PyLong_FromLong(threads)) &&
           install_module(m.get());
}

// _embedded_source(i): the text of kEmbeddedSources[i], made when a module
// of the package is imported rather than kept as a str in every interpreter.
PyObject* py_embedded_source(PyObject*, PyObject* arg)
{
    Py_ssize_t i = PyNumber_AsSsize_t(arg, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred()) return nullptr;
    if (i < 0 || static_cast<size_t>(i) >= kEmbeddedSourceCount) {
        PyErr_SetString(PyExc_IndexError, "no such embedded source");
        return nullptr;
    }
    return PyUnicode_FromString(kEmbeddedSources[i].source);
}

PyMethodDef kEmbeddedSourceDef = {"_embedded_source", py_embedded_source, METH_O,
                                  "_embedded_source(index) -> source text"};

bool install_finder()
{
    PyRef sources = PyRef::steal(PyDict_New());
    if (!sources) return false;
    for (size_t i = 0; i < kEmbeddedSourceCount; ++i) {
        const EmbeddedSource& e = kEmbeddedSources[i];
        PyRef v = PyRef::steal(Py_BuildValue("(nsO)", static_cast<Py_ssize_t>(i), e.filename,
                                             e.is_package ? Py_True : Py_False));
        if (!v || PyDict_SetItemString(sources.get(), e.module, v.get()) < 0) return false;
    }
    PyRef loader = PyRef::steal(PyCFunction_NewEx(&kEmbeddedSourceDef, nullptr, nullptr));
    PyRef globals = PyRef::steal(PyDict_New());
    if (!loader || !globals || PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins()) < 0 ||
        PyDict_SetItemString(globals.get(), "_sources", sources.get()) < 0 ||
        PyDict_SetItemString(globals.get(), "_embedded_source", loader.get()) < 0)
        return false;
    PyRef res = PyRef::steal(PyRun_String(kFinderSource, Py_file_input, globals.get(), globals.get()));
    return static_cast<bool>(res);
}

bool redirect_stdio(server_rec* s)
{
    PyRef out = PyRef::steal(log_new(nullptr, s, APLOG_ERR, "<stdout>"));
    PyRef err = PyRef::steal(log_new(nullptr, s, APLOG_ERR, "<stderr>"));
    return out && err && PySys_SetObject("stdout", out.get()) == 0 &&
           PySys_SetObject("stderr", err.get()) == 0 && PySys_SetObject("__stdout__", out.get()) == 0 &&
           PySys_SetObject("__stderr__", err.get()) == 0;
}

bool add_python_path(server_rec* s)
{
    const ServerConfig* sc = server_config(s);
    if (!sc->python_path || sc->python_path->nelts == 0) return true;
    PyRef site = PyRef::steal(PyImport_ImportModule("site"));
    if (!site) return false;
    auto** dirs = reinterpret_cast<const char**>(sc->python_path->elts);
    for (int i = 0; i < sc->python_path->nelts; ++i) {
        PyRef res = PyRef::steal(PyObject_CallMethod(site.get(), "addsitedir", "s", dirs[i]));
        if (!res) return false;
    }
    return true;
}

}  // namespace

bool ready_types()
{
    for (PyTypeObject* t : {&LogType, &InputType, &GuardType, &AdapterType, &FileWrapperType})
        if (PyType_Ready(t) < 0) return false;
    return true;
}

bool init_interpreter_modules(Interpreter* in, server_rec* s)
{
    return init_interned_keys(in) && make_mod_wsgi_module(in) && make_private_module(Runtime::current()) &&
           install_finder() && redirect_stdio(s) && add_python_path(s);
}

void run_atexit(Interpreter* in, server_rec* s)
{
    PyRef atexit = PyRef::steal(PyImport_ImportModule("atexit"));
    PyRef res;
    if (atexit) res = PyRef::steal(PyObject_CallMethod(atexit.get(), "_run_exitfuncs", nullptr));
    if (!res)
        log_exception(LogTarget::of(s), APLOG_ERR, "WSGIS0504",
                      "atexit callbacks of interpreter '" + in->name() + "' failed");
    for (const char* name : {"stdout", "stderr"}) {
        PyObject* f = PySys_GetObject(name);  // borrowed
        if (f) {
            PyRef r2 = PyRef::steal(PyObject_CallMethod(f, "flush", nullptr));
            if (!r2) PyErr_Clear();
        }
    }
}

bool install_pickle_diagnostics(Interpreter* in, server_rec* s)
{
    if (in->pickle_diagnostics_installed) return true;
    in->pickle_diagnostics_installed = true;
    PyRef m = PyRef::steal(PyImport_ImportModule("wsgiscript.pickle_diagnostics"));
    PyRef res;
    if (m) res = PyRef::steal(PyObject_CallMethod(m.get(), "install", nullptr));
    if (!res) {
        log_exception(LogTarget::of(s), APLOG_ERR, "WSGIS0302",
                      "WSGIPickleDiagnostics could not be installed in interpreter '" + in->name() + "'");
        return false;
    }
    return true;
}

}  // namespace wsgi
