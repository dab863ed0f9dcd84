// call_wrapper.cpp - see call_wrapper.h.
#include "base/call_wrapper.h"

#include "base/py_error.h"

namespace wsgi {

namespace {

void dealloc(PyObject* self)
{
    auto* w = reinterpret_cast<CallWrapperObject*>(self);
    PyObject_GC_UnTrack(self);
    Py_CLEAR(w->func);
    Py_CLEAR(w->handler);
    PyObject_GC_Del(self);
}

int traverse(PyObject* self, visitproc visit, void* arg)
{
    auto* w = reinterpret_cast<CallWrapperObject*>(self);
    Py_VISIT(w->func);
    Py_VISIT(w->handler);
    return 0;
}

int clear(PyObject* self)
{
    auto* w = reinterpret_cast<CallWrapperObject*>(self);
    Py_CLEAR(w->func);
    Py_CLEAR(w->handler);
    return 0;
}

PyObject* repr(PyObject* self)
{
    return PyUnicode_FromFormat("<%s of %R>", Py_TYPE(self)->tp_name, reinterpret_cast<CallWrapperObject*>(self)->func);
}

PyObject* getattro(PyObject* self, PyObject* name)
{
    // __name__, __doc__, __qualname__, __module__ and the rest come from the
    // wrapped function, so the wrapper looks like what it wraps.
    PyObject* res = PyObject_GenericGetAttr(self, name);
    if (res || !PyErr_ExceptionMatches(PyExc_AttributeError)) return res;
    PyErr_Clear();
    return PyObject_GetAttr(reinterpret_cast<CallWrapperObject*>(self)->func, name);
}

}  // namespace

PyObject* call_wrapper_on_exception(CallWrapperObject* w, PyObject* const* args, size_t nargsf, PyObject* kwnames,
                                    bool returns_result)
{
    PendingError pending;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    PyRef pos = PyRef::steal(PyTuple_New(nargs));
    PyRef kw = PyRef::steal(PyDict_New());
    bool ok = pos && kw;
    for (Py_ssize_t i = 0; ok && i < nargs; ++i)
        PyTuple_SET_ITEM(pos.get(), i, PyRef::borrow(args[i]).release());  // the tuple steals it
    if (ok && kwnames)
        for (Py_ssize_t i = 0; ok && i < PyTuple_GET_SIZE(kwnames); ++i)
            ok = PyDict_SetItem(kw.get(), PyTuple_GET_ITEM(kwnames, i), args[nargs + i]) == 0;
    PyRef res;
    if (ok) {
        PyObject* exc = pending.value() ? pending.value() : Py_None;
        res = PyRef::steal(PyObject_CallFunctionObjArgs(w->handler, exc, pos.get(), kw.get(), nullptr));
    }
    if (!res) PyErr_WriteUnraisable(w->handler);
    if (!returns_result || !res || res.get() == Py_NotImplemented) {
        pending.restore();  // the original exception, unchanged
        return nullptr;
    }
    return res.release();  // the original exception is dropped with `pending`
}

PyTypeObject call_wrapper_type_base(const char* name, const char* doc, PyMemberDef* members)
{
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = name;
    t.tp_basicsize = sizeof(CallWrapperObject);
    t.tp_dealloc = dealloc;
    t.tp_vectorcall_offset = offsetof(CallWrapperObject, vectorcall);
    t.tp_repr = repr;
    t.tp_call = PyVectorcall_Call;
    t.tp_getattro = getattro;
    t.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL;
    t.tp_doc = doc;
    t.tp_traverse = traverse;
    t.tp_clear = clear;
    t.tp_members = members;
    return t;
}

PyObject* call_wrapper_new(PyTypeObject* type, PyObject* func, PyObject* handler, const char* what,
                           vectorcallfunc call)
{
    if (!PyCallable_Check(func) || !PyCallable_Check(handler)) {
        PyErr_Format(PyExc_TypeError, "%s: both must be callable", what);
        return nullptr;
    }
    auto* w = PyObject_GC_New(CallWrapperObject, type);
    if (!w) return nullptr;
    w->func = PyRef::borrow(func).release();
    w->handler = PyRef::borrow(handler).release();
    w->vectorcall = call;
    PyObject_GC_Track(w);
    return reinterpret_cast<PyObject*>(w);
}

}  // namespace wsgi
