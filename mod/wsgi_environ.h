// wsgi_environ.h - the WSGI environ dict of a request. GIL held for all.
#pragma once

#include "py_ref.h"
#include "wsgi_httpd.h"

#include <string>

namespace wsgi {

class Interpreter;

// What the handler decided for this request, shown to the app as mod_wsgi.*.
struct RequestSettings {
    const char* script_path = nullptr;
    const char* callable = nullptr;
    std::string app_group;
    bool reloading = true;
    bool pass_authorization = false;
};

// ap_add_common_vars() and ap_add_cgi_vars() for r. Call WITHOUT the GIL:
// PATH_TRANSLATED is found by a sub-request (a filesystem walk and access
// checks on a client-chosen path).
void add_cgi_vars(request_rec* r);

// Make the strings an interpreter reuses per request (at interpreter setup).
bool init_interned_keys(Interpreter* in);

// New environ for r; input and errors are wsgi.input and wsgi.errors.
// r->subprocess_env must already hold the CGI variables (add_cgi_vars()).
PyRef build_environ(Interpreter* in, request_rec* r, const RequestSettings& rs, PyObject* input,
                    PyObject* errors, PyObject* file_wrapper);

}  // namespace wsgi
