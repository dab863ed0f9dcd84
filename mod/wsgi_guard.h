// wsgi_guard.h - `_wsgiscript.guard(func, on_error)`: a callable that calls
// func and, when it raises an Exception, shows that exception to
// on_error(exc, args, kwargs) before re-raising it unchanged. Costs one extra
// vectorcall on the success path. GIL held for all.
#pragma once

#include <Python.h>

namespace wsgi {

extern PyTypeObject GuardType;

PyObject* guard_new(PyObject* func, PyObject* on_error);  // new reference

}  // namespace wsgi
