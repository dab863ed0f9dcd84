// log_stream.cpp - see log_stream.h.
#include "pipeline/log_stream.h"

#include "base/boundary.h"
#include "base/py_ref.h"
#include "core/fault.h"
#include "pipeline/request_scope.h"
#include "runtime/runtime.h"

#include <string>

namespace wsgi {

namespace {

struct LogObject {
    PyObject_HEAD
    LogTarget target;     // a request's stream: its request, until detached; else the server
    int level;
    bool per_request;
    const char* name;
    std::string* pending; // a line not yet ended by '\n' (outside requests for process streams)
};

// Longest unfinished line kept: output that never ends a line is logged in
// pieces of this size rather than held without bound.
constexpr size_t kMaxPartialLine = 8000;

LogTarget target_of(LogObject* self)
{
    return self->per_request ? self->target : RequestScope::target_or(self->target.s);
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

// Complete lines go out now; the rest waits for its newline (bounded).
void append_text(LogObject* self, std::string_view data)
{
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
}

// The bytes of what write() was given: a str (encoded as UTF-8, lone
// surrogates escaped) or any bytes-like object (bytes, bytearray,
// memoryview), which is what io.TextIOWrapper hands its buffer.
bool write_data(LogObject* self, PyObject* data, Py_ssize_t* written)
{
    WSGIS_FAULT("log.write");
    if (PyUnicode_Check(data)) {
        PyRef bytes = PyRef::steal(PyUnicode_AsEncodedString(data, "utf-8", "backslashreplace"));
        if (!bytes) return false;
        append_text(self, std::string_view(PyBytes_AS_STRING(bytes.get()), static_cast<size_t>(PyBytes_GET_SIZE(bytes.get()))));
        *written = PyUnicode_GetLength(data);
        return true;
    }
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) {
        PyErr_Format(PyExc_TypeError, "write() argument must be str or a bytes-like object, not %.100s",
                     Py_TYPE(data)->tp_name);
        return false;
    }
    append_text(self, std::string_view(static_cast<const char*>(view.buf), static_cast<size_t>(view.len)));
    *written = view.len;
    PyBuffer_Release(&view);
    return true;
}

PyObject* Log_write(PyObject* self, PyObject* data)
{
    return py_entry([&]() -> PyObject* {
        Py_ssize_t n = 0;
        if (!write_data(reinterpret_cast<LogObject*>(self), data, &n)) return nullptr;
        return PyLong_FromSsize_t(n);
    });
}

PyObject* Log_writelines(PyObject* self, PyObject* lines)
{
    return py_entry([&]() -> PyObject* {
        PyRef it = PyRef::steal(PyObject_GetIter(lines));
        if (!it) return nullptr;
        Py_ssize_t n = 0;
        while (PyRef item = PyRef::steal(PyIter_Next(it.get())))
            if (!write_data(reinterpret_cast<LogObject*>(self), item.get(), &n)) return nullptr;
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

PyObject* Log_close(PyObject*, PyObject*) { Py_RETURN_NONE; }

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
    {"close", Log_close, METH_NOARGS, "Does nothing: the error log stays open."},
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

PyTypeObject LogStreamType = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "wsgiscript.Log";
    t.tp_basicsize = sizeof(LogObject);
    t.tp_dealloc = Log_dealloc;
    t.tp_flags = Py_TPFLAGS_DEFAULT;
    t.tp_doc = "the Apache error log as a byte stream (the buffer of wsgi.errors, sys.stdout, sys.stderr)";
    t.tp_methods = Log_methods;
    t.tp_getset = Log_getset;
    return t;
}();

namespace {

// io.TextIOWrapper, the type of wsgi.errors and sys.stdout/sys.stderr as
// mod_wsgi makes them (applications and libraries such as Mercurial use
// their .buffer for bytes), found once per interpreter.
struct LogStreamState : InterpreterState {
    PyRef text_wrapper;
    PyRef encoding, errors;
    PyRef cache_key;  // this thread's (stream, buffer) in its thread-state dict
    PyRef attr_encoding, attr_errors, attr_write_through, attr_line_buffering;
};

PyObject* make_buffer(const LogTarget& target, bool per_request, int level, const char* name)
{
    auto* self = PyObject_New(LogObject, &LogStreamType);
    if (!self) return nullptr;
    self->target = target;
    self->level = level;
    self->per_request = per_request;
    self->name = name;
    self->pending = nullptr;
    return reinterpret_cast<PyObject*>(self);
}

// TextIOWrapper(buffer, 'utf-8', 'backslashreplace', None, line_buffering=False,
// write_through=True): every write() reaches the buffer at once, which
// logs whole lines and keeps an unfinished one (so a partial line is not
// logged early by line buffering).
LogStreamState* stream_state()
{
    Interpreter* in = Interpreter::current();
    if (!in) {
        PyErr_SetString(PyExc_RuntimeError, "mod_wsgiscript: no interpreter for the log stream");
        return nullptr;
    }
    LogStreamState& st = in->state<LogStreamState>();
    if (!st.text_wrapper) {
        PyRef io = PyRef::steal(PyImport_ImportModule("io"));
        PyRef type = io ? PyRef::steal(PyObject_GetAttrString(io.get(), "TextIOWrapper")) : PyRef();
        PyRef encoding = PyRef::steal(PyUnicode_InternFromString("utf-8"));
        PyRef errors = PyRef::steal(PyUnicode_InternFromString("backslashreplace"));
        PyRef key = PyRef::steal(PyUnicode_InternFromString("wsgiscript.wsgi_errors"));
        PyRef a_enc = PyRef::steal(PyUnicode_InternFromString("encoding"));
        PyRef a_err = PyRef::steal(PyUnicode_InternFromString("errors"));
        PyRef a_wt = PyRef::steal(PyUnicode_InternFromString("write_through"));
        PyRef a_lb = PyRef::steal(PyUnicode_InternFromString("line_buffering"));
        if (!type || !encoding || !errors || !key || !a_enc || !a_err || !a_wt || !a_lb) return nullptr;
        st.text_wrapper = type;
        st.encoding = encoding;
        st.errors = errors;
        st.cache_key = key;
        st.attr_encoding = a_enc;
        st.attr_errors = a_err;
        st.attr_write_through = a_wt;
        st.attr_line_buffering = a_lb;
    }
    return &st;
}

PyObject* make_stream(const LogTarget& target, bool per_request, int level, const char* name)
{
    LogStreamState* st = stream_state();
    if (!st) return nullptr;
    PyRef buffer = PyRef::steal(make_buffer(target, per_request, level, name));
    if (!buffer) return nullptr;
    PyObject* args[] = {buffer.get(), st->encoding.get(), st->errors.get(), Py_None, Py_False, Py_True};
    return PyObject_Vectorcall(st->text_wrapper.get(), args, 6, nullptr);
}

// attr of obj is the str s (false, no exception, when it is not).
bool attr_is_str(PyObject* obj, PyObject* attr, const char* s)
{
    PyRef v = PyRef::steal(PyObject_GetAttr(obj, attr));
    bool same = v && PyUnicode_Check(v.get()) && PyUnicode_CompareWithASCIIString(v.get(), s) == 0;
    if (!v) PyErr_Clear();
    return same;
}

// attr of obj is the bool b.
bool attr_is(PyObject* obj, PyObject* attr, PyObject* b)
{
    PyRef v = PyRef::steal(PyObject_GetAttr(obj, attr));
    if (!v) PyErr_Clear();
    return v.get() == b;
}

// The thread's stream from an earlier request may serve this one only when
// nothing but the thread's cache holds it or its buffer (an application
// that kept wsgi.errors writes to the server's log, never to a later
// request's), it has no attributes of its own, and it was not reconfigured
// (reconfigure(write_through=False) would hold text back for a later
// request): otherwise a new one is made, as for every request before.
bool reusable(const LogStreamState& st, PyObject* stream, PyObject* buffer)
{
    if (Py_REFCNT(stream) != 1 || Py_REFCNT(buffer) != 2) return false;
    PyObject** dict = _PyObject_GetDictPtr(stream);
    if (dict && *dict && PyDict_GET_SIZE(*dict) != 0) return false;
    return attr_is(stream, st.attr_write_through.get(), Py_True) &&
           attr_is(stream, st.attr_line_buffering.get(), Py_False) &&
           attr_is_str(stream, st.attr_encoding.get(), "utf-8") &&
           attr_is_str(stream, st.attr_errors.get(), "backslashreplace");
}

// The LogObject under a stream made here (borrowed), or nullptr.
LogObject* buffer_of(PyObject* stream)
{
    PyRef buffer = PyRef::steal(PyObject_GetAttrString(stream, "buffer"));
    if (!buffer || !PyObject_TypeCheck(buffer.get(), &LogStreamType)) {
        PyErr_Clear();
        return nullptr;
    }
    return reinterpret_cast<LogObject*>(buffer.get());  // the stream keeps it alive
}

}  // namespace

// One wsgi.errors per thread and interpreter, aimed at each request in
// turn: an io.TextIOWrapper costs about 14k instructions to make and
// finalise, a quarter of a hello world request (docs/performance.md).
PyObject* request_log_stream(const LogTarget& request, int level, const char* name)
{
    LogStreamState* st = stream_state();
    if (!st) return nullptr;
    PyObject* tdict = PyThreadState_GetDict();  // borrowed; this thread's, for this interpreter
    if (tdict) {
        PyObject* cached = PyDict_GetItemWithError(tdict, st->cache_key.get());  // borrowed
        if (cached && PyTuple_CheckExact(cached) && PyTuple_GET_SIZE(cached) == 2) {
            PyObject* stream = PyTuple_GET_ITEM(cached, 0);
            PyObject* buffer = PyTuple_GET_ITEM(cached, 1);
            if (reusable(*st, stream, buffer)) {
                auto* self = reinterpret_cast<LogObject*>(buffer);
                self->target = request;
                self->level = level;
                self->name = name;
                Py_INCREF(stream);
                return stream;
            }
        }
        if (PyErr_Occurred()) PyErr_Clear();
    }
    PyRef stream = PyRef::steal(make_stream(request, true, level, name));
    if (!stream) return nullptr;
    if (tdict) {
        LogObject* self = buffer_of(stream.get());
        PyRef pair = self ? PyRef::steal(PyTuple_Pack(2, stream.get(), reinterpret_cast<PyObject*>(self))) : PyRef();
        if (!pair || PyDict_SetItem(tdict, st->cache_key.get(), pair.get()) < 0) PyErr_Clear();
    }
    return stream.release();
}

PyObject* process_log_stream(server_rec* s, int level, const char* name)
{
    return make_stream(LogTarget::of(s), false, level, name);
}

void log_stream_detach(PyObject* stream)
{
    LogObject* self = buffer_of(stream);
    if (!self) return;
    py_entry_void([&] { flush_pending(self); });
    self->target = LogTarget::of(self->target.s);
}

bool redirect_stdio(server_rec* s)
{
    PyRef out = PyRef::steal(process_log_stream(s, APLOG_ERR, "<stdout>"));
    PyRef err = PyRef::steal(process_log_stream(s, APLOG_ERR, "<stderr>"));
    return out && err && PySys_SetObject("stdout", out.get()) == 0 && PySys_SetObject("stderr", err.get()) == 0 &&
           PySys_SetObject("__stdout__", out.get()) == 0 && PySys_SetObject("__stderr__", err.get()) == 0;
}

}  // namespace wsgi
