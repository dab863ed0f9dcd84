// response.h - calling a WSGI application and sending what it returns over
// a transport: start_response, write(), the response iterable, close(),
// wsgi.file_wrapper as a file range. PEP 3333 strictly; GIL held for all,
// given up around every pass of data to the transport.
#pragma once

#include "pipeline/environ.h"
#include "pipeline/transport.h"

namespace wsgi {

extern PyTypeObject StartResponseType;

// Call app for the request on t and send its response. Returns the status
// for the caller to answer with: 0 once anything was sent (or the server
// answered the client already), else an HTTP error status (the reason is
// logged).
int run_application(Interpreter* in, Transport& t, PyObject* app, const RequestSettings& rs);

}  // namespace wsgi
