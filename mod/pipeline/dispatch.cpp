// dispatch.cpp - see dispatch.h.
#include "pipeline/dispatch.h"

#include "base/py_error.h"
#include "pipeline/log_stream.h"

namespace wsgi {

namespace {

// The environ a dispatch function sees, as mod_wsgi builds it: the CGI
// variables (latin-1), mod_wsgi.process_group '' and
// mod_wsgi.application_group naming the dispatch script's interpreter, and
// wsgi.errors.
PyRef dispatch_environ(Interpreter* in, Transport& t, PyObject* errors)
{
    PyRef env = PyRef::steal(PyDict_New());
    if (!env) return {};
    const apr_array_header_t* arr = apr_table_elts(t.variables());
    const auto* elts = reinterpret_cast<const apr_table_entry_t*>(arr->elts);
    for (int i = 0; i < arr->nelts; ++i) {
        if (!elts[i].key) continue;
        const char* v = elts[i].val ? elts[i].val : "";
        PyRef value = PyRef::steal(PyUnicode_DecodeLatin1(v, static_cast<Py_ssize_t>(strlen(v)), nullptr));
        if (!value || PyDict_SetItemString(env.get(), elts[i].key, value.get()) < 0) return {};
    }
    PyRef empty = PyRef::steal(PyUnicode_FromString(""));
    PyRef group = PyRef::steal(PyUnicode_DecodeLatin1(in->name().data(), static_cast<Py_ssize_t>(in->name().size()), nullptr));
    if (!empty || !group || PyDict_SetItemString(env.get(), "mod_wsgi.process_group", empty.get()) < 0 ||
        PyDict_SetItemString(env.get(), "mod_wsgi.application_group", group.get()) < 0 ||
        PyDict_SetItemString(env.get(), "wsgi.errors", errors) < 0)
        return {};
    if (PyDict_DelItemString(env.get(), "mod_wsgi.callable_object") < 0) PyErr_Clear();
    return env;
}

// Ask one function; false on an exception or a result that is not None or
// a str of latin-1 characters (a Python error is set).
bool ask(PyObject* module, const char* function, PyObject* environ, std::optional<std::string>* out)
{
    PyRef fn = PyRef::steal(PyObject_GetAttrString(module, function));
    if (!fn) {
        PyErr_Clear();  // not defined: the configuration's choice stands
        return true;
    }
    PyRef result = PyRef::steal(PyObject_CallOneArg(fn.get(), environ));
    if (!result) return false;
    if (result.get() == Py_None) return true;
    PyRef bytes;
    if (PyBytes_Check(result.get())) {
        bytes = result;
    } else if (PyUnicode_Check(result.get())) {
        bytes = PyRef::steal(PyUnicode_AsLatin1String(result.get()));
        if (!bytes) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "%s() returned a value with characters beyond latin-1", function);
            return false;
        }
    } else {
        PyErr_Format(PyExc_TypeError, "%s() must return a str or None, not %.80s", function,
                     Py_TYPE(result.get())->tp_name);
        return false;
    }
    std::string value(PyBytes_AS_STRING(bytes.get()), static_cast<std::size_t>(PyBytes_GET_SIZE(bytes.get())));
    if (value.find('\0') != std::string::npos) {
        PyErr_Format(PyExc_ValueError, "%s() returned a value with a NUL character", function);
        return false;
    }
    *out = std::move(value);
    return true;
}

}  // namespace

int run_dispatch(Interpreter* in, Transport& t, const ScriptLoad& load, DispatchDecision* out)
{
    int status = HTTP_INTERNAL_SERVER_ERROR;
    PyRef module = load_script(in, load, &status);
    if (!module) return status;
    PyRef errors = PyRef::steal(request_log_stream(t.log_target(), APLOG_ERR, "wsgi.errors"));
    PyRef environ = errors ? dispatch_environ(in, t, errors.get()) : PyRef();
    bool ok = environ && ask(module.get(), "process_group", environ.get(), &out->process_group) &&
              ask(module.get(), "application_group", environ.get(), &out->application_group) &&
              ask(module.get(), "callable_object", environ.get(), &out->callable_object);
    if (errors) log_stream_detach(errors.get());
    if (!ok) {
        log_exception(t.log_target(), APLOG_ERR, "WSGIS0115",
                      std::string("Exception occurred processing WSGI dispatch script '") + load.path + "'");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return 0;
}

}  // namespace wsgi
