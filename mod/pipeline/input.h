// input.h - wsgi.input: the request body as a binary stream, read from the
// transport with the GIL given up while waiting for data. Memory follows
// what the client actually sent (core/body_reader.h), never a size it
// announces. After input_detach() (end of request) reads return b''.
// GIL held for all.
#pragma once

#include "pipeline/transport.h"

namespace wsgi {

extern PyTypeObject InputType;

PyObject* input_new(Transport& t);  // new reference
void input_detach(PyObject* input);
// True once a read of the body failed (the transport's body_status() then
// says what that calls for).
bool input_failed(PyObject* input);

}  // namespace wsgi
