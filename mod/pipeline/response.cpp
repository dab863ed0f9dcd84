// response.cpp - see response.h.
#include "pipeline/response.h"

#include "base/boundary.h"
#include "base/py_error.h"
#include "core/fault.h"
#include "core/http_rules.h"
#include "pipeline/file_wrapper.h"
#include "pipeline/input.h"
#include "pipeline/log_stream.h"
#include "pipeline/metrics.h"

#include <string>

namespace wsgi {

namespace {

// The start_response callable of one request, and the state of its response.
struct StartResponseObject {
    PyObject_HEAD
    Transport* t;               // until `finished`
    PyObject* input;            // wsgi.input (borrowed: RequestObjects holds both)
    const char* status_line;    // in t->pool()
    int status;
    ResponseHeader* headers;    // in t->pool()
    int header_count;
    apr_off_t content_length;   // declared by the app, -1 if none
    apr_off_t sent;             // body bytes handed to the transport
    bool started, head_set, ended, client_gone, finished;
};

StartResponseObject* as_response(PyObject* o) { return reinterpret_cast<StartResponseObject*>(o); }

// The latin-1 bytes of a str, or nullptr with a Python error.
const char* latin1_of(PyObject* s, Py_ssize_t* len, const char* what)
{
    if (!PyUnicode_Check(s)) {
        PyErr_Format(PyExc_TypeError, "%s must be str, not %.100s", what, Py_TYPE(s)->tp_name);
        return nullptr;
    }
    if (PyUnicode_KIND(s) != PyUnicode_1BYTE_KIND) {
        PyErr_Format(PyExc_ValueError, "%s %R has characters outside latin-1", what, s);
        return nullptr;
    }
    *len = PyUnicode_GET_LENGTH(s);
    return reinterpret_cast<const char*>(PyUnicode_1BYTE_DATA(s));
}

// The status and headers of the last start_response(), to the transport.
void set_head(StartResponseObject* a)
{
    a->t->set_head(a->status, a->status_line, a->headers, a->header_count);
    a->head_set = true;
}

// The transport's server answered the client itself (its input filter
// refused the body): nothing of the application's response may follow.
bool answered_already(StartResponseObject* a)
{
    if (!a->input || !input_failed(a->input) || a->t->body_status() != Transport::kAnswered) return false;
    if (!a->client_gone)
        log_line(a->t->log_target(), APLOG_INFO, "WSGIS0408",
                 "Apache already answered this request when reading its body failed; "
                 "the application's response is not sent");
    a->client_gone = true;
    return true;
}

void note_gone(StartResponseObject* a)
{
    if (!a->client_gone)
        log_line(a->t->log_target(), APLOG_INFO, "WSGIS0404",
                 "client closed the connection before the response was complete (" + std::to_string(a->sent) +
                     " bytes of body sent)");
    a->client_gone = true;
}

// Send what was appended, GIL given up. false when the client is gone.
bool flush(StartResponseObject* a)
{
    if (answered_already(a)) return false;
    bool ok;
    {
        GilRelease nogil;
        ok = a->t->flush();
    }
    if (!ok) note_gone(a);
    return ok;
}

// Queue body bytes (cut at a declared Content-Length).
void append(StartResponseObject* a, const char* data, apr_size_t len)
{
    if (!a->head_set) set_head(a);
    if (a->content_length >= 0) {
        apr_off_t left = a->content_length - a->sent;
        if (static_cast<apr_off_t>(len) > left) len = static_cast<apr_size_t>(left < 0 ? 0 : left);
    }
    if (len == 0) return;
    a->t->append(data, len);
    a->sent += static_cast<apr_off_t>(len);
}

bool write_now(StartResponseObject* a, const char* data, apr_size_t len)
{
    append(a, data, len);
    return flush(a);
}

// End the response. complete = false: the client must see a broken
// response (no final chunk, connection closed) rather than a clean end.
void end_response(StartResponseObject* a, bool complete)
{
    if (a->ended || a->client_gone || answered_already(a)) return;
    if (!a->head_set) set_head(a);
    a->ended = true;
    {
        GilRelease nogil;
        a->t->end(complete);
    }
    if (a->t->client_gone()) note_gone(a);
}

// End the response: status and headers if none went out yet, then the end.
void finish(StartResponseObject* a)
{
    bool short_body = a->content_length >= 0 && a->sent < a->content_length && !a->t->head_only();
    if (short_body && !a->ended && !a->client_gone)
        log_line(a->t->log_target(), APLOG_ERR, "WSGIS0406",
                 "application sent " + std::to_string(a->sent) + " bytes of body, less than its Content-Length " +
                     std::to_string(a->content_length) + "; the connection is closed");
    end_response(a, !short_body);
}

bool check_body_item(StartResponseObject* a, PyObject* item)
{
    if (!PyBytes_Check(item)) {
        PyErr_Format(PyExc_TypeError, "response body items must be bytes, not %.100s", Py_TYPE(item)->tp_name);
        return false;
    }
    if (!a->started) {
        PyErr_SetString(PyExc_RuntimeError, "body data before start_response() was called");
        return false;
    }
    return true;
}

bool require_started(StartResponseObject* a)
{
    if (a->started) return true;
    PyErr_SetString(PyExc_RuntimeError, "the application did not call start_response()");
    return false;
}

// A list or tuple: queued whole and sent once, with the end. The transport
// keeps the bytes by reference while the GIL is given up: a list is first
// copied into a tuple that holds its own references, so another thread
// replacing the list's items cannot free them mid-write.
bool send_sequence(StartResponseObject* a, PyObject* result)
{
    PyRef held = PyList_CheckExact(result) ? PyRef::steal(PyList_AsTuple(result)) : PyRef::borrow(result);
    if (!held) return false;
    PyObject* seq = held.get();
    Py_ssize_t n = PyTuple_GET_SIZE(seq);
    PyObject** items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < n; ++i)
        if (!check_body_item(a, items[i])) return false;
    for (Py_ssize_t i = 0; i < n; ++i) {
        Py_ssize_t len = PyBytes_GET_SIZE(items[i]);
        if (len > 0) append(a, PyBytes_AS_STRING(items[i]), static_cast<apr_size_t>(len));
    }
    if (!require_started(a)) return false;
    finish(a);
    return true;
}

bool send_iterable(StartResponseObject* a, PyObject* result)
{
    PyRef it = PyRef::steal(PyObject_GetIter(result));
    if (!it) return false;
    for (;;) {
        PyRef item = PyRef::steal(PyIter_Next(it.get()));
        if (!item) break;
        if (!check_body_item(a, item.get())) return false;
        Py_ssize_t len = PyBytes_GET_SIZE(item.get());
        if (len == 0) continue;
        if (!write_now(a, PyBytes_AS_STRING(item.get()), static_cast<apr_size_t>(len))) return true;
        if (a->content_length >= 0 && a->sent >= a->content_length) break;
    }
    if (PyErr_Occurred()) return false;
    return require_started(a);
}

// wsgi.file_wrapper around a regular file: the transport sends the range
// itself. false (no error) when it is not a file or the transport cannot.
bool try_send_file(StartResponseObject* a, PyObject* wrapper)
{
    if (!a->started) return false;
    int fd;
    apr_off_t offset, length;
    if (!file_wrapper_range(wrapper, &fd, &offset, &length)) return false;
    if (a->content_length >= 0) length = std::min(length, a->content_length - a->sent);
    if (!a->head_set) set_head(a);
    if (length > 0 && !a->t->append_file(fd, offset, length)) return false;
    a->sent += length;
    finish(a);
    return true;
}

// Iterate and send the result; false with a Python error pending on failure.
bool send_result(StartResponseObject* a, PyObject* result)
{
    if (Py_TYPE(result) == &FileWrapperType && try_send_file(a, result)) return true;
    if (PyErr_Occurred()) return false;
    if (PyList_CheckExact(result) || PyTuple_CheckExact(result)) return send_sequence(a, result);
    return send_iterable(a, result);
}

// result.close(), if it has one; its failure is logged.
void call_close(const InternedKeys& k, StartResponseObject* a, PyObject* result, const RequestSettings& rs)
{
    if (PyList_CheckExact(result) || PyTuple_CheckExact(result) || PyBytes_CheckExact(result)) return;
    PyRef close = PyRef::steal(PyObject_GetAttr(result, k.close.get()));
    if (!close) {
        PyErr_Clear();
        return;
    }
    PyRef res = PyRef::steal(PyObject_CallNoArgs(close.get()));
    if (!res)
        log_exception(a->t->log_target(), APLOG_ERR, "WSGIS0111",
                      std::string("exception in close() of the response of WSGI script '") + rs.script_path + "'");
}

// ---- start_response ---------------------------------------------------

extern PyMethodDef StartResponse_methods[];  // below; [0] is write

// A copy of the status and headers in the request's pool, checked: false
// with a Python error (and a WSGIS0402/0403 line) when they are not valid.
bool take_head(StartResponseObject* a, PyObject* status, PyObject* headers)
{
    Transport& t = *a->t;
    apr_pool_t* pool = t.pool();
    Py_ssize_t slen = 0;
    const char* s = latin1_of(status, &slen, "status");
    if (!s) return false;
    std::string_view sv(s, static_cast<size_t>(slen));
    if (!valid_status_line(sv)) {
        log_line(t.log_target(), APLOG_ERR, "WSGIS0402",
                 "start_response(): status '" + std::string(sv.substr(0, 80)) + "' is not \"NNN Reason\"");
        PyErr_Format(PyExc_ValueError, "status must be \"NNN Reason\", got %R", status);
        return false;
    }
    if (!PyList_Check(headers)) {
        PyErr_Format(PyExc_TypeError, "response headers must be a list, not %.100s", Py_TYPE(headers)->tp_name);
        return false;
    }
    Py_ssize_t n = PyList_GET_SIZE(headers);
    auto* out = static_cast<ResponseHeader*>(apr_palloc(pool, sizeof(ResponseHeader) * static_cast<size_t>(n + 1)));
    apr_off_t content_length = -1;
    for (Py_ssize_t i = 0; i < n; ++i) {
        PyObject* item = PyList_GET_ITEM(headers, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            PyErr_Format(PyExc_TypeError, "response header %zd must be a (name, value) tuple, got %R", i, item);
            return false;
        }
        Py_ssize_t nlen = 0, vlen = 0;
        const char* name = latin1_of(PyTuple_GET_ITEM(item, 0), &nlen, "header name");
        if (!name) return false;
        const char* value = latin1_of(PyTuple_GET_ITEM(item, 1), &vlen, "header value");
        if (!value) return false;
        std::string_view nv(name, static_cast<size_t>(nlen)), vv(value, static_cast<size_t>(vlen));
        if (!valid_header_name(nv) || !valid_header_value(vv)) {
            log_line(t.log_target(), APLOG_ERR, "WSGIS0403",
                     "start_response(): refused header " + std::string(nv.substr(0, 80)) +
                         " with a control character or an invalid name; nothing of it was sent");
            PyErr_Format(PyExc_ValueError, "invalid response header %R: control characters or bad name", item);
            return false;
        }
        if (nlen == 14 && strncasecmp(name, "Content-Length", 14) == 0) {
            std::optional<long long> cl = parse_content_length(vv);
            if (!cl) {
                log_line(t.log_target(), APLOG_ERR, "WSGIS0403",
                         "start_response(): refused invalid Content-Length '" + std::string(vv.substr(0, 40)) + "'");
                PyErr_Format(PyExc_ValueError, "invalid Content-Length %R", PyTuple_GET_ITEM(item, 1));
                return false;
            }
            content_length = static_cast<apr_off_t>(*cl);
        }
        out[i].name = apr_pstrmemdup(pool, name, static_cast<apr_size_t>(nlen));
        out[i].value = apr_pstrmemdup(pool, value, static_cast<apr_size_t>(vlen));
    }
    a->status = static_cast<int>((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'));
    a->status_line = apr_pstrmemdup(pool, s, static_cast<apr_size_t>(slen));
    a->headers = out;
    a->header_count = static_cast<int>(n);
    a->content_length = content_length;
    return true;
}

PyObject* StartResponse_call(PyObject* self, PyObject* args, PyObject* kwargs)
{
    return py_entry([&]() -> PyObject* {
        WSGIS_FAULT("response.start");
        StartResponseObject* a = as_response(self);
        static const char* kwlist[] = {"status", "headers", "exc_info", nullptr};
        PyObject *status, *headers, *exc_info = Py_None;
        if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|O:start_response", const_cast<char**>(kwlist), &status,
                                         &headers, &exc_info))
            return nullptr;
        if (a->finished) {
            PyErr_SetString(PyExc_RuntimeError, "start_response() called after the request finished");
            return nullptr;
        }
        if (exc_info != Py_None) {
            if (a->head_set) {
                // Too late to replace the head: re-raise the application's exception.
                PyObject *type, *value, *tb;
                if (!PyArg_ParseTuple(exc_info, "OOO", &type, &value, &tb)) return nullptr;
                PyErr_Restore(PyRef::borrow(type).release(), PyRef::borrow(value).release(),
                              PyRef::borrow(tb).release());
                return nullptr;
            }
        } else if (a->head_set) {
            // A second call before any output replaces the status and headers
            // (as mod_wsgi); once they are sent, only exc_info may come.
            PyErr_SetString(PyExc_RuntimeError, "headers have already been sent");
            return nullptr;
        }
        if (!take_head(a, status, headers)) return nullptr;
        a->started = true;
        // A fresh bound method: keeping it on the object would make a reference
        // cycle through a type without GC support (one leaked object per request).
        return PyCFunction_NewEx(&StartResponse_methods[0], self, nullptr);
    });
}

PyObject* StartResponse_write(PyObject* self, PyObject* data)
{
    return py_entry([&]() -> PyObject* {
        WSGIS_FAULT("response.write");
        StartResponseObject* a = as_response(self);
        if (a->finished) {
            PyErr_SetString(PyExc_RuntimeError, "write() called after the request finished");
            return nullptr;
        }
        if (!check_body_item(a, data)) return nullptr;
        if (a->client_gone ||
            !write_now(a, PyBytes_AS_STRING(data), static_cast<apr_size_t>(PyBytes_GET_SIZE(data)))) {
            PyErr_SetString(PyExc_OSError, "write(): the client closed the connection");
            return nullptr;
        }
        Py_RETURN_NONE;
    });
}

void StartResponse_dealloc(PyObject* self) { Py_TYPE(self)->tp_free(self); }

PyMethodDef StartResponse_methods[] = {
    {"write", StartResponse_write, METH_O, "write(data): send body bytes now"},
    {nullptr, nullptr, 0, nullptr},
};

PyObject* start_response_new(Transport& t)
{
    auto* a = PyObject_New(StartResponseObject, &StartResponseType);
    if (!a) return nullptr;
    a->t = &t;
    a->input = nullptr;
    a->status_line = nullptr;
    a->status = 200;
    a->headers = nullptr;
    a->header_count = 0;
    a->content_length = -1;
    a->sent = 0;
    a->started = a->head_set = a->ended = a->client_gone = a->finished = false;
    return reinterpret_cast<PyObject*>(a);
}

// The request's Python objects, cut loose from the request when it ends
// however it ends (also by a C++ exception): an application that keeps
// wsgi.input, wsgi.errors or start_response gets b'', the server's log, or
// an error afterwards, never the finished request.
struct RequestObjects {
    explicit RequestObjects(Transport& t)
        : input(PyRef::steal(input_new(t))),
          errors(PyRef::steal(request_log_stream(t.log_target(), APLOG_ERR, "wsgi.errors"))),
          start_response(PyRef::steal(start_response_new(t)))
    {
        if (start_response) as_response(start_response.get())->input = input.get();
    }
    ~RequestObjects()
    {
        if (start_response) as_response(start_response.get())->finished = true;
        if (input) input_detach(input.get());
        if (errors) log_stream_detach(errors.get());
    }
    RequestObjects(const RequestObjects&) = delete;
    RequestObjects& operator=(const RequestObjects&) = delete;
    PyRef input, errors, start_response;
};

}  // namespace

PyTypeObject StartResponseType = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "wsgiscript.StartResponse";
    t.tp_basicsize = sizeof(StartResponseObject);
    t.tp_dealloc = StartResponse_dealloc;
    t.tp_call = StartResponse_call;
    t.tp_flags = Py_TPFLAGS_DEFAULT;
    t.tp_doc = "start_response(status, headers, exc_info=None) -> write";
    t.tp_methods = StartResponse_methods;
    return t;
}();

int run_application(Interpreter* in, Transport& t, PyObject* app, const RequestSettings& rs)
{
    const std::string headline = std::string("Exception occurred processing WSGI script '") + rs.script_path + "'";
    RequestObjects objs(t);
    PyRef environ;
    if (objs.input && objs.errors && objs.start_response) {
        WSGIS_FAULT("environ");
        environ = build_environ(in, t, rs, objs.input.get(), objs.errors.get(),
                                reinterpret_cast<PyObject*>(&FileWrapperType));
    }
    if (!environ) {
        log_exception(t.log_target(), APLOG_ERR, "WSGIS0110", headline + ": building the environ failed");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    RequestMetricsScope metrics(in, environ.get());  // mod_wsgi's process/request metrics, request_data()
    StartResponseObject* a = as_response(objs.start_response.get());
    PyObject* args[] = {environ.get(), objs.start_response.get()};
    PyRef result = PyRef::steal(PyObject_Vectorcall(app, args, 2, nullptr));
    bool ok = static_cast<bool>(result);
    if (ok) ok = send_result(a, result.get());
    if (!ok) log_exception(t.log_target(), APLOG_ERR, "WSGIS0110", headline);
    if (result) call_close(in->state<EnvironState>().keys, a, result.get(), rs);

    if (ok) {
        finish(a);
        return 0;
    }
    if (a->head_set) {  // too late for an error page: the client sees a broken response
        end_response(a, false);
        return 0;
    }
    // A body the client failed to send (too large, malformed, timed out) is
    // answered with its own status (413, 400, 408), not 500.
    int body_status = input_failed(objs.input.get()) ? t.body_status() : 0;
    return body_status ? body_status : HTTP_INTERNAL_SERVER_ERROR;
}

}  // namespace wsgi
