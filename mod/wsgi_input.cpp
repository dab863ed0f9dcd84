// wsgi_input.cpp - wsgi.input (see wsgi_input.h).
#include "wsgi_input.h"

#include "wsgi_interp.h"
#include "wsgi_logging.h"

#include <string>

namespace wsgi {

namespace {

constexpr size_t kBlock = 64 * 1024;

struct InputObject {
    PyObject_HEAD
    request_rec* r;
    std::string* buf;     // read from the client, not yet given to the app
    size_t pos;           // start of unread data in buf
    apr_off_t total;      // bytes received so far
    bool started, eof;
};

size_t available(InputObject* self) { return self->buf ? self->buf->size() - self->pos : 0; }

// Read more of the body into buf. false with a Python error on failure; at
// the end of the body sets eof and returns true.
bool fill(InputObject* self, size_t want)
{
    if (self->eof) return true;
    request_rec* r = self->r;
    if (!r) {
        self->eof = true;
        return true;
    }
    if (!self->buf) self->buf = new std::string;
    if (self->pos > 0) {
        // Drop what the app has consumed: the buffer holds at most one
        // read's worth, never the whole body.
        self->buf->erase(0, self->pos);
        self->pos = 0;
    }
    int status = OK;
    long got = 0;
    size_t old = self->buf->size();
    want = std::max(want, kBlock);
    self->buf->resize(old + want);
    {
        GilRelease nogil;
        if (!self->started) {
            status = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK);
            if (status == OK && !ap_should_client_block(r)) status = DONE;
        }
        if (status == OK) got = ap_get_client_block(r, self->buf->data() + old, want);
    }
    self->started = true;
    if (status == DONE) {
        self->buf->resize(old);
        self->eof = true;
        return true;
    }
    if (status != OK || got < 0) {
        self->buf->resize(old);
        self->eof = true;
        const char* cl = apr_table_get(r->headers_in, "Content-Length");
        std::string why = "request body could not be read after " + std::to_string(self->total) +
                          " bytes" + (cl ? std::string(" of Content-Length ") + cl : std::string()) +
                          ": the client closed the connection, timed out or sent malformed data";
        log_line(LogTarget::of(r), APLOG_INFO, "WSGIS0401", why);
        PyErr_SetString(PyExc_OSError, ("wsgi.input: " + why).c_str());
        return false;
    }
    self->buf->resize(old + static_cast<size_t>(got));
    self->total += got;
    if (got == 0) self->eof = true;
    return true;
}

PyObject* take(InputObject* self, size_t n)
{
    n = std::min(n, available(self));
    PyObject* out = PyBytes_FromStringAndSize(self->buf ? self->buf->data() + self->pos : "",
                                              static_cast<Py_ssize_t>(n));
    self->pos += n;
    return out;
}

bool size_arg(PyObject* const* args, Py_ssize_t nargs, Py_ssize_t* size)
{
    *size = -1;
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "expected at most one argument");
        return false;
    }
    if (nargs == 1 && args[0] != Py_None) {
        *size = PyLong_AsSsize_t(args[0]);
        if (*size == -1 && PyErr_Occurred()) return false;
    }
    return true;
}

PyObject* Input_read(PyObject* o, PyObject* const* args, Py_ssize_t nargs)
{
    auto* self = reinterpret_cast<InputObject*>(o);
    Py_ssize_t size;
    if (!size_arg(args, nargs, &size)) return nullptr;
    if (size < 0) {
        while (!self->eof)
            if (!fill(self, kBlock)) return nullptr;
        return take(self, available(self));
    }
    while (available(self) < static_cast<size_t>(size) && !self->eof)
        if (!fill(self, static_cast<size_t>(size) - available(self))) return nullptr;
    return take(self, static_cast<size_t>(size));
}

PyObject* readline(InputObject* self, Py_ssize_t limit)
{
    size_t scanned = 0;
    for (;;) {
        size_t avail = available(self);
        if (avail > 0) {
            const char* start = self->buf->data() + self->pos;
            size_t span = limit >= 0 ? std::min(avail, static_cast<size_t>(limit)) : avail;
            const void* nl = memchr(start + scanned, '\n', span - scanned);
            if (nl) return take(self, static_cast<const char*>(nl) - start + 1);
            if (limit >= 0 && avail >= static_cast<size_t>(limit)) return take(self, limit);
            scanned = span;
        }
        if (self->eof) return take(self, avail);
        if (!fill(self, kBlock)) return nullptr;
    }
}

PyObject* Input_readline(PyObject* o, PyObject* const* args, Py_ssize_t nargs)
{
    Py_ssize_t size;
    if (!size_arg(args, nargs, &size)) return nullptr;
    return readline(reinterpret_cast<InputObject*>(o), size);
}

PyObject* Input_readlines(PyObject* o, PyObject* const* args, Py_ssize_t nargs)
{
    auto* self = reinterpret_cast<InputObject*>(o);
    Py_ssize_t hint;
    if (!size_arg(args, nargs, &hint)) return nullptr;
    PyObject* lines = PyList_New(0);
    if (!lines) return nullptr;
    Py_ssize_t total = 0;
    for (;;) {
        PyObject* line = readline(self, -1);
        if (!line) {
            Py_DECREF(lines);
            return nullptr;
        }
        Py_ssize_t n = PyBytes_GET_SIZE(line);
        if (n == 0) {
            Py_DECREF(line);
            break;
        }
        int rc = PyList_Append(lines, line);
        Py_DECREF(line);
        if (rc < 0) {
            Py_DECREF(lines);
            return nullptr;
        }
        total += n;
        if (hint > 0 && total >= hint) break;
    }
    return lines;
}

PyObject* Input_iter(PyObject* self)
{
    Py_INCREF(self);
    return self;
}

PyObject* Input_next(PyObject* o)
{
    PyObject* line = readline(reinterpret_cast<InputObject*>(o), -1);
    if (line && PyBytes_GET_SIZE(line) == 0) {
        Py_DECREF(line);
        return nullptr;  // StopIteration
    }
    return line;
}

PyObject* Input_close(PyObject*, PyObject*) { Py_RETURN_NONE; }

void Input_dealloc(PyObject* o)
{
    delete reinterpret_cast<InputObject*>(o)->buf;
    Py_TYPE(o)->tp_free(o);
}

PyMethodDef Input_methods[] = {
    {"read", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Input_read)), METH_FASTCALL,
     "read([size]) -> bytes; b'' at the end of the body"},
    {"readline", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Input_readline)),
     METH_FASTCALL, "readline([limit]) -> bytes"},
    {"readlines", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Input_readlines)),
     METH_FASTCALL, "readlines([hint]) -> list of bytes"},
    {"close", Input_close, METH_NOARGS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

}  // namespace

PyTypeObject InputType = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "wsgiscript.Input";
    t.tp_basicsize = sizeof(InputObject);
    t.tp_dealloc = Input_dealloc;
    t.tp_flags = Py_TPFLAGS_DEFAULT;
    t.tp_doc = "The request body (wsgi.input)";
    t.tp_iter = Input_iter;
    t.tp_iternext = Input_next;
    t.tp_methods = Input_methods;
    return t;
}();

PyObject* input_new(request_rec* r)
{
    auto* self = PyObject_New(InputObject, &InputType);
    if (!self) return nullptr;
    self->r = r;
    self->buf = nullptr;
    self->pos = 0;
    self->total = 0;
    self->started = self->eof = false;
    return reinterpret_cast<PyObject*>(self);
}

void input_detach(PyObject* input)
{
    auto* self = reinterpret_cast<InputObject*>(input);
    self->r = nullptr;
    self->eof = true;
}

}  // namespace wsgi
