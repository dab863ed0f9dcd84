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

// Make the strings an interpreter reuses per request (at interpreter setup).
bool init_interned_keys(Interpreter* in);

// New environ for r; input and errors are wsgi.input and wsgi.errors.
PyRef build_environ(Interpreter* in, request_rec* r, const RequestSettings& rs, PyObject* input,
                    PyObject* errors, PyObject* file_wrapper);

}  // namespace wsgi
