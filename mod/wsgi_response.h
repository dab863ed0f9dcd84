// wsgi_response.h - calling the WSGI application and sending what it
// returns: start_response, write(), the response iterable, close(),
// wsgi.file_wrapper. GIL held for all; it is released around every pass of
// data to Apache's output filters.
#pragma once

#include "wsgi_environ.h"
#include "wsgi_httpd.h"

namespace wsgi {

class Interpreter;

extern PyTypeObject AdapterType;      // the start_response callable
extern PyTypeObject FileWrapperType;  // wsgi.file_wrapper

// Call app for r and send its response. Returns the handler's status: OK
// once anything was sent, else an HTTP error status (the reason is logged).
int run_application(Interpreter* in, request_rec* r, PyObject* app, const RequestSettings& rs);

}  // namespace wsgi
