// wsgi_logobj.h - the file-like object behind wsgi.errors, sys.stdout and
// sys.stderr: complete lines go to the Apache error log, tagged WSGIS0201.
//
// A per-request log writes against its request until log_detach() (end of
// request); a process log (sys.stdout/stderr) writes against the request the
// calling thread is serving, if any, else the main server. GIL held for all.
#pragma once

#include "wsgi_httpd.h"

namespace wsgi {

extern PyTypeObject LogType;

// New reference. r == nullptr: a process log for server s.
PyObject* log_new(request_rec* r, server_rec* s, int level, const char* name);
// Flush what is buffered and stop referring to the request.
void log_detach(PyObject* log);

}  // namespace wsgi
