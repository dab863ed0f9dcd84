// wsgi_input.h - wsgi.input: the request body as a binary stream.
//
// Reads go through Apache's input filters (chunked bodies are de-chunked,
// LimitRequestBody is enforced) with the GIL released while waiting for
// data; memory follows what the client actually sent (body_reader.h), never
// a size it announces. After input_detach() (end of request) reads return
// b''. GIL held for all.
#pragma once

#include "wsgi_httpd.h"

namespace wsgi {

extern PyTypeObject InputType;

PyObject* input_new(request_rec* r);  // new reference
void input_detach(PyObject* input);
// The HTTP status a failed body read calls for (413, 400, 408, or
// AP_FILTER_ERROR when a filter already answered the client); 0 if no read failed.
int input_failed_status(PyObject* input);

}  // namespace wsgi
