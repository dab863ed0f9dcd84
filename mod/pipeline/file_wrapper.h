// file_wrapper.h - wsgi.file_wrapper(filelike, blksize=8192): iterates the
// file-like in blocks, and lets the response send a real file as a file
// range instead (the transport then sends it without Python). GIL held.
#pragma once

#include "base/httpd.h"

namespace wsgi {

extern PyTypeObject FileWrapperType;

// The regular file behind a file_wrapper result, from its current position
// to its end: true with fd, offset and length; false (no Python error left)
// when the file-like is not a regular file.
bool file_wrapper_range(PyObject* wrapper, int* fd, apr_off_t* offset, apr_off_t* length);

}  // namespace wsgi
