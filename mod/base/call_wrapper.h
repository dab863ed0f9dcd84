// call_wrapper.h - a Python callable that calls another one (`func`) and,
// when that raises an Exception, passes the exception and the call's
// arguments to a second Python callable (`handler`). Pickle diagnostics'
// guard(func, on_error) and pickle resolve's retry(func, fallback) are two
// such types; what the handler's answer means is theirs (Spec::on_exception).
//
// GIL: everything here runs with the GIL held, called by Python.
#pragma once

#include "base/py_ref.h"

#include <Python.h>
#include <structmember.h>

#include <cstddef>

namespace wsgi {

struct CallWrapperObject {
    PyObject_HEAD
    PyObject* func;
    PyObject* handler;
    vectorcallfunc vectorcall;
};

// The pending exception, then handler(exc, args_tuple, kwargs_dict). With
// returns_result, a result other than NotImplemented replaces the failed
// call's (the exception is dropped); otherwise (and when the handler itself
// fails, which is reported as unraisable) the exception stays pending, as
// it was, and the result is nullptr.
PyObject* call_wrapper_on_exception(CallWrapperObject* w, PyObject* const* args, size_t nargsf, PyObject* kwnames,
                                    bool returns_result);

// The type's parts shared by every Spec (defined in call_wrapper.cpp).
PyTypeObject call_wrapper_type_base(const char* name, const char* doc, PyMemberDef* members);
PyObject* call_wrapper_new(PyTypeObject* type, PyObject* func, PyObject* handler, const char* what,
                           vectorcallfunc call);

// Spec: kName ("wsgiscript.Guard"), kDoc, kHandlerName ("on_error"),
// kSignature ("guard(func, on_error)") and
// static PyObject* on_exception(CallWrapperObject*, args, nargsf, kwnames):
// called with func's exception pending; what the call returns.
template <class Spec>
class CallWrapper {
public:
    static PyTypeObject* type()
    {
        static PyMemberDef members[] = {
            {"__wrapped__", T_OBJECT, offsetof(CallWrapperObject, func), READONLY, nullptr},
            {Spec::kHandlerName, T_OBJECT, offsetof(CallWrapperObject, handler), READONLY, nullptr},
            {nullptr, 0, 0, 0, nullptr},
        };
        static PyTypeObject t = call_wrapper_type_base(Spec::kName, Spec::kDoc, members);
        return &t;
    }

    // The Python-level constructor: Spec::kSignature's two callables.
    static PyObject* make(PyObject* func, PyObject* handler)
    {
        return call_wrapper_new(type(), func, handler, Spec::kSignature, vectorcall);
    }

private:
    static PyObject* vectorcall(PyObject* self, PyObject* const* args, size_t nargsf, PyObject* kwnames)
    {
        auto* w = reinterpret_cast<CallWrapperObject*>(self);
        PyObject* res = PyObject_Vectorcall(w->func, args, nargsf, kwnames);
        if (res || !PyErr_ExceptionMatches(PyExc_Exception)) return res;
        return Spec::on_exception(w, args, nargsf, kwnames);
    }
};

}  // namespace wsgi
