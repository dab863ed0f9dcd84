// wsgi_logging.cpp - error log output (see wsgi_logging.h).
#include "wsgi_logging.h"

#include "py_ref.h"

namespace wsgi {

void log_line(const LogTarget& to, int level, const char* tag, std::string_view text)
{
    int len = static_cast<int>(text.size());
    if (to.r)
        ap_log_rerror(APLOG_MARK, level, 0, to.r, "%s: %.*s", tag, len, text.data());
    else
        ap_log_error(APLOG_MARK, level, 0, to.s, "%s: %.*s", tag, len, text.data());
}

void log_lines(const LogTarget& to, int level, const char* tag, std::string_view text)
{
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty()) log_line(to, level, tag, line);
        pos = nl + 1;
    }
}

namespace {

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

PyRef fetch_exception()
{
    PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
    PyErr_Fetch(&type, &value, &tb);
    if (!type) return {};
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb && value) PyException_SetTraceback(value, tb);
    Py_XDECREF(type);
    Py_XDECREF(tb);
    return PyRef::steal(value);
}

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
