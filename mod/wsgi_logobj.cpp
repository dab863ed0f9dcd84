// wsgi_logobj.cpp - wsgi.errors / sys.stdout / sys.stderr (see wsgi_logobj.h).
#include "wsgi_logobj.h"

#include "fault.h"
#include "py_ref.h"
#include "wsgi_boundary.h"
#include "wsgi_interp.h"
#include "wsgi_logging.h"

#include <string>

namespace wsgi {

namespace {

struct LogObject {
    PyObject_HEAD
    request_rec* r;       // per-request log: its request, until detached
    server_rec* s;
    int level;
    bool per_request;
    const char* name;
    std::string* pending; // a line not yet ended by '\n' (outside requests for process-wide streams)
};

// Longest unfinished line kept: output that never ends a line is logged in
// pieces of this size rather than held without bound.
constexpr size_t kMaxPartialLine = 8000;

LogTarget target_of(LogObject* self)
{
    if (self->per_request) return self->r ? LogTarget::of(self->r) : LogTarget::of(self->s);
    if (request_rec* r = RequestScope::current()) return LogTarget::of(r);
    return LogTarget::of(self->s);
}

void emit(LogObject* self, std::string_view text)
{
    log_lines(target_of(self), self->level, "WSGIS0201", text);
}

// Where this stream's unfinished line is kept now: for sys.stdout/stderr
// during a request, with that request (RequestScope); else on the object.
std::string* pending_of(LogObject* self)
{
    if (!self->per_request)
        if (std::string* p = RequestScope::partial_line(self, self->level)) return p;
    if (!self->pending) self->pending = new std::string;
    return self->pending;
}

void flush_pending(LogObject* self)
{
    std::string* p = pending_of(self);
    if (!p->empty()) {
        emit(self, *p);
        p->clear();
    }
}

bool write_str(LogObject* self, PyObject* text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "write() argument must be str, not %.100s",
                     Py_TYPE(text)->tp_name);
        return false;
    }
    WSGIS_FAULT("log.write");
    Py_ssize_t n = 0;
    const char* u = PyUnicode_AsUTF8AndSize(text, &n);
    if (!u) return false;
    std::string_view data(u, static_cast<size_t>(n));
    std::string* pending = pending_of(self);
    size_t last_nl = data.rfind('\n');
    if (last_nl != std::string_view::npos) {
        if (pending->empty()) {
            emit(self, data.substr(0, last_nl));
        } else {
            pending->append(data.substr(0, last_nl));
            emit(self, *pending);
            pending->clear();
        }
        data.remove_prefix(last_nl + 1);
    }
    while (pending->size() + data.size() > kMaxPartialLine) {
        size_t take = kMaxPartialLine - pending->size();
        pending->append(data.substr(0, take));
        emit(self, *pending);
        pending->clear();
        data.remove_prefix(take);
    }
    pending->append(data);
    return true;
}

PyObject* Log_write(PyObject* self, PyObject* text)
{
    return py_entry([&]() -> PyObject* {
        if (!write_str(reinterpret_cast<LogObject*>(self), text)) return nullptr;
        return PyLong_FromSsize_t(PyUnicode_GetLength(text));
    });
}

PyObject* Log_writelines(PyObject* self, PyObject* lines)
{
    return py_entry([&]() -> PyObject* {
        PyRef it = PyRef::steal(PyObject_GetIter(lines));
        if (!it) return nullptr;
        while (PyRef item = PyRef::steal(PyIter_Next(it.get())))
            if (!write_str(reinterpret_cast<LogObject*>(self), item.get())) return nullptr;
        if (PyErr_Occurred()) return nullptr;
        Py_RETURN_NONE;
    });
}

PyObject* Log_flush(PyObject* self, PyObject*)
{
    return py_entry([&]() -> PyObject* {
        flush_pending(reinterpret_cast<LogObject*>(self));
        Py_RETURN_NONE;
    });
}

PyObject* Log_false(PyObject*, PyObject*) { Py_RETURN_FALSE; }
PyObject* Log_true(PyObject*, PyObject*) { Py_RETURN_TRUE; }

PyObject* Log_fileno(PyObject*, PyObject*)
{
    PyErr_SetString(PyExc_OSError, "the Apache error log has no file descriptor for applications");
    return nullptr;
}

PyObject* Log_get_closed(PyObject*, void*) { Py_RETURN_FALSE; }
PyObject* Log_get_encoding(PyObject*, void*) { return PyUnicode_FromString("utf-8"); }
PyObject* Log_get_errors(PyObject*, void*) { return PyUnicode_FromString("backslashreplace"); }
PyObject* Log_get_name(PyObject* self, void*)
{
    return PyUnicode_FromString(reinterpret_cast<LogObject*>(self)->name);
}

void Log_dealloc(PyObject* self)
{
    auto* lo = reinterpret_cast<LogObject*>(self);
    if (lo->pending && !lo->pending->empty()) py_entry_void([&] { emit(lo, *lo->pending); });
    delete lo->pending;
    Py_TYPE(self)->tp_free(self);
}

PyMethodDef Log_methods[] = {
    {"write", Log_write, METH_O, "Write text; complete lines go to the Apache error log."},
    {"writelines", Log_writelines, METH_O, "Write each string of an iterable."},
    {"flush", Log_flush, METH_NOARGS, "Log a pending partial line now."},
    {"isatty", Log_false, METH_NOARGS, nullptr},
    {"readable", Log_false, METH_NOARGS, nullptr},
    {"seekable", Log_false, METH_NOARGS, nullptr},
    {"writable", Log_true, METH_NOARGS, nullptr},
    {"fileno", Log_fileno, METH_NOARGS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

PyGetSetDef Log_getset[] = {
    {"closed", Log_get_closed, nullptr, nullptr, nullptr},
    {"encoding", Log_get_encoding, nullptr, nullptr, nullptr},
    {"errors", Log_get_errors, nullptr, nullptr, nullptr},
    {"name", Log_get_name, nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

}  // namespace

PyTypeObject LogType = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "wsgiscript.Log";
    t.tp_basicsize = sizeof(LogObject);
    t.tp_dealloc = Log_dealloc;
    t.tp_flags = Py_TPFLAGS_DEFAULT;
    t.tp_doc = "Apache error log as a text stream";
    t.tp_methods = Log_methods;
    t.tp_getset = Log_getset;
    return t;
}();

PyObject* log_new(request_rec* r, server_rec* s, int level, const char* name)
{
    auto* self = PyObject_New(LogObject, &LogType);
    if (!self) return nullptr;
    self->r = r;
    self->s = s;
    self->level = level;
    self->per_request = r != nullptr;
    self->name = name;
    self->pending = nullptr;
    return reinterpret_cast<PyObject*>(self);
}

void log_detach(PyObject* log)
{
    auto* self = reinterpret_cast<LogObject*>(log);
    py_entry_void([&] { flush_pending(self); });
    self->r = nullptr;
}

}  // namespace wsgi
