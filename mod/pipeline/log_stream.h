// log_stream.h - the file-like object behind wsgi.errors, sys.stdout and
// sys.stderr: complete lines go to the Apache error log, tagged WSGIS0201.
//
// A request's stream (wsgi.errors) writes against its request until
// log_stream_detach() (end of request); a process stream (sys.stdout,
// sys.stderr) writes against the request the calling thread is serving
// (RequestScope), if any, else the server. GIL held for all.
#pragma once

#include "base/log.h"

namespace wsgi {

extern PyTypeObject LogStreamType;

// New references.
PyObject* request_log_stream(const LogTarget& request, int level, const char* name);
PyObject* process_log_stream(server_rec* s, int level, const char* name);
// Log what is buffered and write against the server from now on.
void log_stream_detach(PyObject* stream);

// sys.stdout and sys.stderr (and their __std*__) of the current interpreter
// to the error log of server s.
bool redirect_stdio(server_rec* s);

}  // namespace wsgi
