// environ.h - the WSGI environ dict of a request, built from the
// transport's CGI variables over a per-interpreter template. GIL held for
// all, the interpreter current.
#pragma once

#include "base/py_ref.h"
#include "pipeline/environ_cache.h"
#include "pipeline/transport.h"
#include "runtime/runtime.h"

#include <string>

namespace wsgi {

// The version of mod_wsgi this module answers as (mod_wsgi.version and
// environ['mod_wsgi.version']): applications test it.
constexpr int kModWsgiVersion[3] = {5, 0, 2};

// What the glue decided for this request; shown to the app as mod_wsgi.*.
struct RequestSettings {
    const char* script_path = nullptr;
    const char* callable = nullptr;
    std::string app_group;
    bool reloading = true;
    // HTTP_AUTHORIZATION is passed only with this (the transport's
    // variables carry it then); otherwise it is kept out of the environ.
    bool pass_authorization = false;
    // WSGIPassApacheRequest On, embedded mode: environ['apache.request_rec']
    // is a capsule of this pointer (the request_rec).
    void* apache_request = nullptr;
};

// Strings an interpreter reuses on every request.
struct InternedKeys {
    PyRef wsgi_version, wsgi_url_scheme, wsgi_input, wsgi_errors, wsgi_multithread, wsgi_multiprocess,
        wsgi_run_once, wsgi_input_terminated, wsgi_file_wrapper, mod_wsgi_application_group,
        mod_wsgi_callable_object, mod_wsgi_process_group, mod_wsgi_script_reloading,
        mod_wsgi_version, script_file, version_tuple, http, https, empty, one, zero, close,
        mod_wsgi_version_tuple, path_info, https_var, http_authorization,
        path, apache_version, apache_version_tuple, mod_wsgi_script_start, mod_wsgi_thread_id,
        mod_wsgi_thread_requests, mod_wsgi_total_requests;
};

// Per interpreter: the keys and the strings the environ is made of.
struct EnvironState : InterpreterState {
    InternedKeys keys;
    EnvironCache cache;
};

// At interpreter set-up: intern the keys (false with a Python error set).
bool init_environ_state(Interpreter* in);

// A new environ for the request on t; input and errors are wsgi.input and
// wsgi.errors, file_wrapper the wsgi.file_wrapper type.
PyRef build_environ(Interpreter* in, Transport& t, const RequestSettings& rs, PyObject* input, PyObject* errors,
                    PyObject* file_wrapper);

// mod_wsgi.thread_id of the calling thread (0 before it served a request)
// and how many threads have served requests in this process.
long request_thread_id();
long request_threads_started();

}  // namespace wsgi
