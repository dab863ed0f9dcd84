// wsgi_response.cpp - see wsgi_response.h.
#include "wsgi_response.h"

#include "fault.h"
#include "py_ref.h"
#include "wsgi_boundary.h"
#include "wsgi_input.h"
#include "wsgi_interp.h"
#include "wsgi_logging.h"
#include "wsgi_logobj.h"
#include "wsgi_options.h"

#include <structmember.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace wsgi {

namespace {

struct Header {
    const char* name;
    const char* value;
};

struct AdapterObject {
    PyObject_HEAD
    request_rec* r;
    apr_bucket_brigade* bb;
    const char* status_line;
    int status;
    apr_array_header_t* headers;  // of Header, in r->pool
    apr_off_t content_length;     // declared by the app, -1 if none
    apr_off_t sent;               // body bytes passed to Apache
    PyObject* input;              // wsgi.input (borrowed: RequestObjects holds both)
    bool started, headers_sent, eos_sent, client_gone, finished;
};

struct FileWrapperObject {
    PyObject_HEAD
    PyObject* filelike;
    Py_ssize_t blksize;
};

AdapterObject* as_adapter(PyObject* o) { return reinterpret_cast<AdapterObject*>(o); }

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

// Apply the status and headers of the last start_response() to r.
void send_headers(AdapterObject* a)
{
    request_rec* r = a->r;
    r->status = a->status;
    r->status_line = a->status_line;
    const auto* h = reinterpret_cast<const Header*>(a->headers->elts);
    for (int i = 0; i < a->headers->nelts; ++i) {
        if (strcasecmp(h[i].name, "Content-Type") == 0)
            ap_set_content_type(r, h[i].value);
        else if (strcasecmp(h[i].name, "Content-Length") == 0)
            apr_table_setn(r->headers_out, "Content-Length", h[i].value);
        else
            apr_table_addn(r->headers_out, h[i].name, h[i].value);
    }
    a->headers_sent = true;
}

// Pass what the brigade holds to the output filters, GIL released. false
// when the client is gone.
bool pass(AdapterObject* a)
{
    if (a->input && input_failed_status(a->input) == AP_FILTER_ERROR) {
        // Apache's input filter has answered the client (413, 400): nothing
        // of the application's response may follow that answer.
        if (!a->client_gone)
            log_line(LogTarget::of(a->r), APLOG_INFO, "WSGIS0408",
                     "Apache already answered this request when reading its body failed; "
                     "the application's response is not sent");
        a->client_gone = true;
        apr_brigade_cleanup(a->bb);
        return false;
    }
    apr_status_t rv;
    {
        GilRelease nogil;
        rv = ap_pass_brigade(a->r->output_filters, a->bb);
    }
    apr_brigade_cleanup(a->bb);
    if (rv != APR_SUCCESS || a->r->connection->aborted) {
        if (!a->client_gone)
            log_line(LogTarget::of(a->r), APLOG_INFO, "WSGIS0404",
                     "client closed the connection before the response was complete (" +
                         std::to_string(a->sent) + " bytes of body sent)");
        a->client_gone = true;
        return false;
    }
    return true;
}

// Queue body bytes (cut at a declared Content-Length).
void append(AdapterObject* a, const char* data, apr_size_t len)
{
    if (!a->headers_sent) send_headers(a);
    if (a->content_length >= 0) {
        apr_off_t left = a->content_length - a->sent;
        if (static_cast<apr_off_t>(len) > left) len = static_cast<apr_size_t>(left < 0 ? 0 : left);
    }
    if (len == 0) return;
    APR_BRIGADE_INSERT_TAIL(a->bb, apr_bucket_transient_create(data, len, a->bb->bucket_alloc));
    a->sent += static_cast<apr_off_t>(len);
}

bool write_now(AdapterObject* a, const char* data, apr_size_t len)
{
    append(a, data, len);
    APR_BRIGADE_INSERT_TAIL(a->bb, apr_bucket_flush_create(a->bb->bucket_alloc));
    return pass(a);
}

// End the response with EOS. incomplete: make the client see a broken
// response (no final chunk, connection closed) rather than a clean end.
void end_response(AdapterObject* a, bool incomplete)
{
    if (a->eos_sent || a->client_gone) return;
    if (incomplete) {
        a->r->connection->keepalive = AP_CONN_CLOSE;
        APR_BRIGADE_INSERT_TAIL(a->bb, ap_bucket_error_create(HTTP_BAD_GATEWAY, nullptr, a->r->pool,
                                                              a->bb->bucket_alloc));
    }
    APR_BRIGADE_INSERT_TAIL(a->bb, apr_bucket_eos_create(a->bb->bucket_alloc));
    a->eos_sent = true;
    pass(a);
}

// End the response: headers if none went out yet, then EOS.
void finish(AdapterObject* a)
{
    if (a->eos_sent || a->client_gone) return;
    if (!a->headers_sent) send_headers(a);
    bool short_body = a->content_length >= 0 && a->sent < a->content_length && !a->r->header_only;
    if (short_body)
        log_line(LogTarget::of(a->r), APLOG_ERR, "WSGIS0406",
                 "application sent " + std::to_string(a->sent) + " bytes of body, less than its Content-Length " +
                     std::to_string(a->content_length) + "; the connection is closed");
    end_response(a, short_body);
}

// After a failure once headers are out.
void abort_response(AdapterObject* a) { end_response(a, true); }

bool check_body_item(AdapterObject* a, PyObject* item)
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

// A list or tuple: queued whole and passed once, with EOS. The buckets
// point into the bytes objects, and the GIL is released while Apache writes
// them: a list is first copied into a tuple that holds its own references,
// so another thread replacing the list's items cannot free them mid-write.
bool send_sequence(AdapterObject* a, PyObject* result)
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
    if (!a->started) {
        PyErr_SetString(PyExc_RuntimeError, "the application did not call start_response()");
        return false;
    }
    finish(a);
    return true;
}

bool send_iterable(AdapterObject* a, PyObject* result)
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
    if (!a->started) {
        PyErr_SetString(PyExc_RuntimeError, "the application did not call start_response()");
        return false;
    }
    return true;
}

apr_status_t close_fd(void* f) { return apr_file_close(static_cast<apr_file_t*>(f)); }

// wsgi.file_wrapper around a real file: send it as a file bucket, the way
// Apache's own file serving does: sendfile only under EnableSendfile On,
// no mmap under EnableMMAP Off. false (no error) when the file-like is not a file.
bool try_send_file(AdapterObject* a, FileWrapperObject* fw)
{
    if (!a->started) return false;
    PyRef fileno = PyRef::steal(PyObject_CallMethod(fw->filelike, "fileno", nullptr));
    if (!fileno) {
        PyErr_Clear();
        return false;
    }
    int fd = static_cast<int>(PyLong_AsLong(fileno.get()));
    struct stat st;
    if (fd < 0 || PyErr_Occurred() || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        PyErr_Clear();
        return false;
    }
    apr_off_t offset = -1;
    PyRef pos = PyRef::steal(PyObject_CallMethod(fw->filelike, "tell", nullptr));
    if (pos) offset = PyLong_AsLongLong(pos.get());
    if (!pos || PyErr_Occurred()) {
        PyErr_Clear();
        offset = lseek(fd, 0, SEEK_CUR);
    }
    if (offset < 0) return false;
    apr_off_t length = st.st_size > offset ? st.st_size - offset : 0;
    if (a->content_length >= 0) length = std::min(length, a->content_length - a->sent);
    int copy = dup(fd);
    if (copy < 0) return false;
    apr_file_t* file = nullptr;
    const auto* core = static_cast<const core_dir_config*>(ap_get_core_module_config(a->r->per_dir_config));
    apr_os_file_put(&file, &copy, APR_FOPEN_READ | AP_SENDFILE_ENABLED(core->enable_sendfile), a->r->pool);
    apr_pool_cleanup_register(a->r->pool, file, close_fd, apr_pool_cleanup_null);
    if (!a->headers_sent) send_headers(a);
    if (length > 0) {
        apr_bucket* last = apr_brigade_insert_file(a->bb, file, offset, length, a->r->pool);
        if (core->enable_mmap == ENABLE_MMAP_OFF)
            for (apr_bucket* b = APR_BRIGADE_FIRST(a->bb); b != APR_BRIGADE_SENTINEL(a->bb); b = APR_BUCKET_NEXT(b)) {
                if (APR_BUCKET_IS_FILE(b)) apr_bucket_file_enable_mmap(b, 0);
                if (b == last) break;
            }
    }
    a->sent += length;
    finish(a);
    return true;
}

// result.close(), if it has one; its failure is logged.
void call_close(Interpreter* in, AdapterObject* a, PyObject* result, const RequestSettings& rs)
{
    if (PyList_CheckExact(result) || PyTuple_CheckExact(result) || PyBytes_CheckExact(result)) return;
    PyRef close = PyRef::steal(PyObject_GetAttr(result, in->keys.close.get()));
    if (!close) {
        PyErr_Clear();
        return;
    }
    PyRef res = PyRef::steal(PyObject_CallNoArgs(close.get()));
    if (!res)
        log_exception(LogTarget::of(a->r), APLOG_ERR, "WSGIS0111",
                      std::string("exception in close() of the response of WSGI script '") + rs.script_path + "'");
}

// ---- start_response ---------------------------------------------------

extern PyMethodDef Adapter_methods[];  // below; [0] is write

PyObject* Adapter_call_impl(PyObject* self, PyObject* args, PyObject* kwargs)
{
    WSGIS_FAULT("response.start");
    AdapterObject* a = as_adapter(self);
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
        if (a->headers_sent) {
            PyObject *t, *v, *tb;
            if (!PyArg_ParseTuple(exc_info, "OOO", &t, &v, &tb)) return nullptr;
            Py_INCREF(t);
            Py_INCREF(v);
            Py_INCREF(tb);
            PyErr_Restore(t, v, tb);
            return nullptr;
        }
    } else if (a->started) {
        PyErr_SetString(PyExc_RuntimeError,
                        "start_response() was already called; pass exc_info to replace the headers");
        return nullptr;
    }

    request_rec* r = a->r;
    Py_ssize_t slen = 0;
    const char* s = latin1_of(status, &slen, "status");
    if (!s) return nullptr;
    std::string_view sv(s, static_cast<size_t>(slen));
    if (!valid_status_line(sv)) {
        log_line(LogTarget::of(r), APLOG_ERR, "WSGIS0402",
                 "start_response(): status '" + std::string(sv.substr(0, 80)) + "' is not \"NNN Reason\"");
        PyErr_Format(PyExc_ValueError, "status must be \"NNN Reason\", got %R", status);
        return nullptr;
    }
    if (!PyList_Check(headers)) {
        PyErr_Format(PyExc_TypeError, "response headers must be a list, not %.100s", Py_TYPE(headers)->tp_name);
        return nullptr;
    }
    Py_ssize_t n = PyList_GET_SIZE(headers);
    apr_array_header_t* out = apr_array_make(r->pool, static_cast<int>(n), sizeof(Header));
    apr_off_t content_length = -1;
    for (Py_ssize_t i = 0; i < n; ++i) {
        PyObject* item = PyList_GET_ITEM(headers, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2) {
            PyErr_Format(PyExc_TypeError, "response header %zd must be a (name, value) tuple, got %R", i, item);
            return nullptr;
        }
        Py_ssize_t nlen = 0, vlen = 0;
        const char* name = latin1_of(PyTuple_GET_ITEM(item, 0), &nlen, "header name");
        if (!name) return nullptr;
        const char* value = latin1_of(PyTuple_GET_ITEM(item, 1), &vlen, "header value");
        if (!value) return nullptr;
        std::string_view nv(name, static_cast<size_t>(nlen)), vv(value, static_cast<size_t>(vlen));
        if (!valid_header_name(nv) || !valid_header_value(vv)) {
            log_line(LogTarget::of(r), APLOG_ERR, "WSGIS0403",
                     "start_response(): refused header " + std::string(name, std::min<size_t>(nlen, 80)) +
                         " with a control character or an invalid name; nothing of it was sent");
            PyErr_Format(PyExc_ValueError, "invalid response header %R: control characters or bad name", item);
            return nullptr;
        }
        auto* h = static_cast<Header*>(apr_array_push(out));
        h->name = apr_pstrmemdup(r->pool, name, nlen);
        h->value = apr_pstrmemdup(r->pool, value, vlen);
        if (strcasecmp(h->name, "Content-Length") == 0) {
            std::optional<long long> cl = parse_content_length(vv);
            content_length = cl ? static_cast<apr_off_t>(*cl) : -1;
            if (!cl) {
                log_line(LogTarget::of(r), APLOG_ERR, "WSGIS0403",
                         std::string("start_response(): refused invalid Content-Length '") +
                             std::string(h->value).substr(0, 40) + "'");
                PyErr_Format(PyExc_ValueError, "invalid Content-Length %R", PyTuple_GET_ITEM(item, 1));
                return nullptr;
            }
        }
    }
    a->status = static_cast<int>((s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0'));
    a->status_line = apr_pstrmemdup(r->pool, s, slen);
    a->headers = out;
    a->content_length = content_length;
    a->started = true;
    // A fresh bound method: keeping it on the object would make a reference
    // cycle through a type without GC support (one leaked adapter per request).
    // Made directly rather than looked up by name (a str and a type lookup less).
    return PyCFunction_NewEx(&Adapter_methods[0], self, nullptr);
}

PyObject* Adapter_call(PyObject* self, PyObject* args, PyObject* kwargs)
{
    return py_entry([&] { return Adapter_call_impl(self, args, kwargs); });
}

PyObject* Adapter_write_impl(PyObject* self, PyObject* data)
{
    WSGIS_FAULT("response.write");
    AdapterObject* a = as_adapter(self);
    if (a->finished) {
        PyErr_SetString(PyExc_RuntimeError, "write() called after the request finished");
        return nullptr;
    }
    if (!check_body_item(a, data)) return nullptr;
    if (a->client_gone || !write_now(a, PyBytes_AS_STRING(data), static_cast<apr_size_t>(PyBytes_GET_SIZE(data)))) {
        PyErr_SetString(PyExc_OSError, "write(): the client closed the connection");
        return nullptr;
    }
    Py_RETURN_NONE;
}

PyObject* Adapter_write(PyObject* self, PyObject* data)
{
    return py_entry([&] { return Adapter_write_impl(self, data); });
}

void Adapter_dealloc(PyObject* self) { Py_TYPE(self)->tp_free(self); }

PyMethodDef Adapter_methods[] = {
    {"write", Adapter_write, METH_O, "write(data): send body bytes now"},
    {nullptr, nullptr, 0, nullptr},
};

// ---- wsgi.file_wrapper -----------------------------------------------

PyObject* FileWrapper_new_impl(PyTypeObject* type, PyObject* args, PyObject* kwargs)
{
    static const char* kwlist[] = {"filelike", "blksize", nullptr};
    PyObject* filelike;
    Py_ssize_t blksize = 8192;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|n:file_wrapper", const_cast<char**>(kwlist), &filelike,
                                     &blksize))
        return nullptr;
    if (blksize <= 0) {
        PyErr_SetString(PyExc_ValueError, "blksize must be positive");
        return nullptr;
    }
    auto* fw = reinterpret_cast<FileWrapperObject*>(type->tp_alloc(type, 0));
    if (!fw) return nullptr;
    Py_INCREF(filelike);
    fw->filelike = filelike;
    fw->blksize = blksize;
    return reinterpret_cast<PyObject*>(fw);
}

PyObject* FileWrapper_new(PyTypeObject* type, PyObject* args, PyObject* kwargs)
{
    return py_entry([&] { return FileWrapper_new_impl(type, args, kwargs); });
}

PyObject* FileWrapper_iter(PyObject* self)
{
    Py_INCREF(self);
    return self;
}

PyObject* FileWrapper_next_impl(PyObject* self)
{
    auto* fw = reinterpret_cast<FileWrapperObject*>(self);
    PyObject* data = PyObject_CallMethod(fw->filelike, "read", "n", fw->blksize);
    if (!data) return nullptr;
    if (PyBytes_Check(data) && PyBytes_GET_SIZE(data) == 0) {
        Py_DECREF(data);
        return nullptr;
    }
    return data;
}

PyObject* FileWrapper_next(PyObject* self)
{
    return py_entry([&] { return FileWrapper_next_impl(self); });
}

PyObject* FileWrapper_close_impl(PyObject* self)
{
    auto* fw = reinterpret_cast<FileWrapperObject*>(self);
    PyRef close = PyRef::steal(PyObject_GetAttrString(fw->filelike, "close"));
    if (!close) {
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    return PyObject_CallNoArgs(close.get());
}

PyObject* FileWrapper_close(PyObject* self, PyObject*)
{
    return py_entry([&] { return FileWrapper_close_impl(self); });
}

void FileWrapper_dealloc(PyObject* self)
{
    Py_XDECREF(reinterpret_cast<FileWrapperObject*>(self)->filelike);
    Py_TYPE(self)->tp_free(self);
}

PyMethodDef FileWrapper_methods[] = {
    {"close", FileWrapper_close, METH_NOARGS, "close the wrapped file-like"},
    {nullptr, nullptr, 0, nullptr},
};

PyMemberDef FileWrapper_members[] = {
    {"filelike", T_OBJECT, offsetof(FileWrapperObject, filelike), READONLY, nullptr},
    {"blksize", T_PYSSIZET, offsetof(FileWrapperObject, blksize), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr},
};

PyObject* adapter_new(request_rec* r)
{
    auto* a = PyObject_New(AdapterObject, &AdapterType);
    if (!a) return nullptr;
    a->r = r;
    a->bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    a->status_line = nullptr;
    a->status = HTTP_OK;
    a->headers = nullptr;
    a->content_length = -1;
    a->sent = 0;
    a->input = nullptr;
    a->started = a->headers_sent = a->eos_sent = a->client_gone = a->finished = false;
    return reinterpret_cast<PyObject*>(a);
}

// Iterate and send the result; false with a Python error pending on failure.
bool send_result(AdapterObject* a, PyObject* result)
{
    if (Py_TYPE(result) == &FileWrapperType && try_send_file(a, reinterpret_cast<FileWrapperObject*>(result)))
        return true;
    if (PyErr_Occurred()) return false;
    if (PyList_CheckExact(result) || PyTuple_CheckExact(result)) return send_sequence(a, result);
    return send_iterable(a, result);
}

}  // namespace

PyTypeObject AdapterType = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "wsgiscript.StartResponse";
    t.tp_basicsize = sizeof(AdapterObject);
    t.tp_dealloc = Adapter_dealloc;
    t.tp_call = Adapter_call;
    t.tp_flags = Py_TPFLAGS_DEFAULT;
    t.tp_doc = "start_response(status, headers, exc_info=None) -> write";
    t.tp_methods = Adapter_methods;
    return t;
}();

PyTypeObject FileWrapperType = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "wsgiscript.FileWrapper";
    t.tp_basicsize = sizeof(FileWrapperObject);
    t.tp_dealloc = FileWrapper_dealloc;
    t.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
    t.tp_doc = "wsgi.file_wrapper(filelike, blksize=8192)";
    t.tp_iter = FileWrapper_iter;
    t.tp_iternext = FileWrapper_next;
    t.tp_methods = FileWrapper_methods;
    t.tp_members = FileWrapper_members;
    t.tp_new = FileWrapper_new;
    return t;
}();

namespace {

// The request's Python objects, cut loose from the request when it ends
// however it ends (also by a C++ exception): an application that keeps
// wsgi.input, wsgi.errors or start_response gets b'', the server's log, or
// an error afterwards, never the freed request.
struct RequestObjects {
    explicit RequestObjects(request_rec* r)
        : input(PyRef::steal(input_new(r))),
          errors(PyRef::steal(log_new(r, r->server, APLOG_ERR, "wsgi.errors"))),
          adapter(PyRef::steal(adapter_new(r)))
    {
    }
    ~RequestObjects()
    {
        if (adapter) as_adapter(adapter.get())->finished = true;
        if (input) input_detach(input.get());
        if (errors) log_detach(errors.get());
    }
    RequestObjects(const RequestObjects&) = delete;
    RequestObjects& operator=(const RequestObjects&) = delete;
    PyRef input, errors, adapter;
};

}  // namespace

int run_application(Interpreter* in, request_rec* r, PyObject* app, const RequestSettings& rs)
{
    const std::string headline = std::string("exception occurred processing WSGI script '") + rs.script_path + "'";
    RequestObjects objs(r);
    PyRef environ;
    if (objs.input && objs.errors && objs.adapter) {
        WSGIS_FAULT("environ");
        environ = build_environ(in, r, rs, objs.input.get(), objs.errors.get(),
                                reinterpret_cast<PyObject*>(&FileWrapperType));
    }
    if (!environ) {
        log_exception(LogTarget::of(r), APLOG_ERR, "WSGIS0110", headline + ": building the environ failed");
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    AdapterObject* a = as_adapter(objs.adapter.get());
    a->input = objs.input.get();
    PyObject* args[] = {environ.get(), objs.adapter.get()};
    PyRef result = PyRef::steal(PyObject_Vectorcall(app, args, 2, nullptr));
    bool ok = static_cast<bool>(result);
    if (ok) ok = send_result(a, result.get());
    if (!ok) log_exception(LogTarget::of(r), APLOG_ERR, "WSGIS0110", headline);
    if (result) call_close(in, a, result.get(), rs);

    // A body the client failed to send (too large, malformed, timed out) is
    // answered with its own status (413, 400, 408), not 500.
    int input_status = input_failed_status(objs.input.get());
    int status = OK;
    if (!ok && !a->headers_sent)
        status = input_status ? input_status : HTTP_INTERNAL_SERVER_ERROR;
    else if (!ok)
        abort_response(a);
    else
        finish(a);
    return status;
}

}  // namespace wsgi
