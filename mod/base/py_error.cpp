// py_error.cpp - see py_error.h.
#include "base/py_error.h"

namespace wsgi {

std::string utf8_of(PyObject* o)
{
    PyRef s = PyRef::steal(PyObject_Str(o));
    if (!s) {
        PyErr_Clear();
        return "<unprintable>";
    }
    Py_ssize_t n = 0;
    const char* u = PyUnicode_AsUTF8AndSize(s.get(), &n);
    if (!u) {
        PyErr_Clear();
        return "<unprintable>";
    }
    return std::string(u, static_cast<size_t>(n));
}

namespace {

// traceback.format_exception(exc) joined; empty if that fails.
std::string format_traceback(PyObject* exc)
{
    PyRef tb_mod = PyRef::steal(PyImport_ImportModule("traceback"));
    if (!tb_mod) {
        PyErr_Clear();
        return {};
    }
    PyRef lines = PyRef::steal(PyObject_CallMethod(tb_mod.get(), "format_exception", "O", exc));
    if (!lines) {
        PyErr_Clear();
        return {};
    }
    PyRef empty = PyRef::steal(PyUnicode_FromString(""));
    PyRef joined = PyRef::steal(PyUnicode_Join(empty.get(), lines.get()));
    if (!joined) {
        PyErr_Clear();
        return {};
    }
    return utf8_of(joined.get());
}

}  // namespace

PendingError::PendingError()
{
    PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
    PyErr_Fetch(&type, &value, &tb);
    if (!type) return;
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb && value) PyException_SetTraceback(value, tb);
    type_ = PyRef::steal(type);
    value_ = PyRef::steal(value);
    tb_ = PyRef::steal(tb);
}

void PendingError::restore() { PyErr_Restore(type_.release(), value_.release(), tb_.release()); }

PyRef fetch_exception() { return PendingError().take_value(); }

void log_exception(const LogTarget& to, int level, const char* tag, const std::string& headline)
{
    PyRef exc = fetch_exception();
    log_line(to, level, tag, headline);
    if (!exc) return;
    std::string tb = format_traceback(exc.get());
    if (tb.empty())
        tb = std::string(Py_TYPE(exc.get())->tp_name) + ": " + utf8_of(exc.get());
    log_lines(to, level, tag, tb);
}

std::string describe_python_error()
{
    PyRef exc = fetch_exception();
    if (!exc) return "no Python exception";
    return std::string(Py_TYPE(exc.get())->tp_name) + ": " + utf8_of(exc.get());
}

}  // namespace wsgi
