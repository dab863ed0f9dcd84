// setup.cpp - see setup.h.
#include "pipeline/setup.h"

#include "base/boundary.h"
#include "pipeline/environ.h"
#include "pipeline/file_wrapper.h"
#include "pipeline/input.h"
#include "pipeline/log_stream.h"
#include "pipeline/metrics.h"
#include "pipeline/request_scope.h"
#include "pipeline/response.h"
#include "pipeline/scripts.h"

#include <string_view>

namespace wsgi {

namespace {

bool is_tag(std::string_view tag)
{
    if (tag.size() != 9 || tag.substr(0, 5) != "WSGIS") return false;
    for (char c : tag.substr(5))
        if (c < '0' || c > '9') return false;
    return true;
}

// log(level, tag, text): each line of text to the error log, "TAG: line",
// for the request this thread serves (else the server).
PyObject* py_log(PyObject*, PyObject* args)
{
    return py_entry([&]() -> PyObject* {
        int level = APLOG_ERR;
        const char *tag = nullptr, *text = nullptr;
        Py_ssize_t tag_len = 0, len = 0;
        if (!PyArg_ParseTuple(args, "is#s#:log", &level, &tag, &tag_len, &text, &len)) return nullptr;
        if (level < APLOG_EMERG || level > APLOG_TRACE8) {
            PyErr_Format(PyExc_ValueError, "log level %d is not an Apache level (0..15)", level);
            return nullptr;
        }
        std::string t(tag, static_cast<size_t>(tag_len));
        if (!is_tag(t)) {
            PyErr_Format(PyExc_ValueError, "log tag '%s' is not of the form WSGISnnnn", t.c_str());
            return nullptr;
        }
        Runtime* rt = Runtime::current();
        LogTarget to = RequestScope::target_or(rt ? rt->main_server() : nullptr);
        log_lines(to, level, t.c_str(), std::string_view(text, static_cast<size_t>(len)));
        Py_RETURN_NONE;
    });
}

PyObject* py_request_info(PyObject*, PyObject*)
{
    Transport* t = RequestScope::current();
    if (!t) Py_RETURN_NONE;
    RequestLine line = t->request_line();
    return Py_BuildValue("(sss)", line.client_ip ? line.client_ip : "", line.method ? line.method : "",
                         line.uri ? line.uri : "");
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
        for (const auto& [key, e] : in->state<ScriptTable>().entries) {
            if (!e.module_name || e.history.empty()) continue;
            PyRef history = PyRef::steal(PyTuple_New(static_cast<Py_ssize_t>(e.history.size())));
            if (!history) return nullptr;
            for (size_t i = 0; i < e.history.size(); ++i) {
                const LoadEvent& ev = e.history[i];
                PyObject* item =
                    Py_BuildValue("(lLd)", ev.generation, static_cast<long long>(ev.mtime), seconds(ev.at));
                if (!item) return nullptr;
                PyTuple_SET_ITEM(history.get(), static_cast<Py_ssize_t>(i), item);  // steals item
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

PyMethodDef kPipelineFunctions[] = {
    {"log", py_log, METH_VARARGS, "log(level, tag, text): write lines 'TAG: line' to the Apache error log"},
    {"loaded_scripts", py_loaded_scripts, METH_NOARGS,
     "{module name: (path, generation, mtime, loaded_at, reloaded_at, history)} of this interpreter"},
    {"request_info", py_request_info, METH_NOARGS,
     "(client_ip, method, uri) of the request this thread serves, or None"},
    {nullptr, nullptr, 0, nullptr},
};

bool make_mod_wsgi_module(Interpreter* in, const ProcessFacts& facts)
{
    PyRef m = PyRef::steal(PyModule_New("mod_wsgi"));
    if (!m) return false;
    PyObject* mp = m.get();
    return add_to_module(mp, "version", PyRef::steal(Py_BuildValue("(iii)", kModWsgiVersion[0], kModWsgiVersion[1],
                                                                  kModWsgiVersion[2]))) &&
           add_to_module(mp, "wsgiscript_version", PyRef::steal(PyUnicode_FromString(WSGISCRIPT_VERSION))) &&
           add_to_module(mp, "process_group", PyRef::steal(PyUnicode_FromString(facts.process_group.c_str()))) &&
           add_to_module(mp, "application_group", PyRef::steal(PyUnicode_FromString(in->name().c_str()))) &&
           add_to_module(mp, "maximum_processes", PyRef::steal(PyLong_FromLong(facts.maximum_processes))) &&
           add_to_module(mp, "threads_per_process", PyRef::steal(PyLong_FromLong(facts.threads_per_process))) &&
           add_to_module(mp, "FileWrapper", PyRef::borrow(reinterpret_cast<PyObject*>(&FileWrapperType))) &&
           add_metrics_to_module(in, mp) && add_to_sys_modules(mp);
}

// The module apache, as mod_wsgi makes it: the server's version, its MPM
// and the MPM's processes and threads (also in a daemon process, where
// mod_wsgi.* says the daemon's).
bool make_apache_module()
{
    PyRef m = PyRef::steal(PyModule_New("apache"));
    if (!m) return false;
    int threads = 1, processes = 1;
    ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    ap_mpm_query(AP_MPMQ_MAX_DAEMONS, &processes);
    const char* description = ap_get_server_description();
    const char* mpm = ap_show_mpm();
    const char* built = ap_get_server_built();
    PyObject* mp = m.get();
    return add_to_module(mp, "version", PyRef::steal(Py_BuildValue("(iii)", AP_SERVER_MAJORVERSION_NUMBER,
                                                                  AP_SERVER_MINORVERSION_NUMBER,
                                                                  AP_SERVER_PATCHLEVEL_NUMBER))) &&
           add_to_module(mp, "maximum_processes", PyRef::steal(PyLong_FromLong(processes > 0 ? processes : 1))) &&
           add_to_module(mp, "threads_per_process", PyRef::steal(PyLong_FromLong(threads > 0 ? threads : 1))) &&
           add_to_module(mp, "description", PyRef::steal(PyUnicode_DecodeLatin1(description, strlen(description), nullptr))) &&
           add_to_module(mp, "mpm_name", PyRef::steal(PyUnicode_DecodeLatin1(mpm, strlen(mpm), nullptr))) &&
           add_to_module(mp, "build_date", PyRef::steal(PyUnicode_DecodeLatin1(built, strlen(built), nullptr))) &&
           add_to_sys_modules(mp);
}

}  // namespace

void add_pipeline(RuntimeOptions& options, const ProcessFacts& facts)
{
    init_process_metrics({facts.server_metrics, facts.threads_per_process, !facts.process_group.empty()});
    for (PyTypeObject* t : {&LogStreamType, &InputType, &StartResponseType, &FileWrapperType})
        options.types.push_back(t);
    options.private_functions.push_back(kPipelineFunctions);
    options.setup.push_back(init_environ_state);
    options.setup.push_back([facts](Interpreter* in) { return make_mod_wsgi_module(in, facts) && make_apache_module(); });
    options.setup.push_back([](Interpreter*) {
        Runtime* rt = Runtime::current();
        return redirect_stdio(rt ? rt->main_server() : nullptr);
    });
}

}  // namespace wsgi
