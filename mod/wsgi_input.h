// wsgi_input.h - wsgi.input: the request body as a binary stream.
//
// Reads go through Apache's input filters (chunked bodies are de-chunked)
// with the GIL released while waiting for data. After input_detach() (end of
// request) reads return b''. GIL held for all.
#pragma once

#include "wsgi_httpd.h"

namespace wsgi {

extern PyTypeObject InputType;

PyObject* input_new(request_rec* r);  // new reference
void input_detach(PyObject* input);

}  // namespace wsgi
