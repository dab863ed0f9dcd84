// wsgi_guard.cpp - see wsgi_guard.h.
#include "wsgi_guard.h"

#include "py_ref.h"

#include <structmember.h>

#include <cstddef>

namespace wsgi {

namespace {

struct GuardObject {
    PyObject_HEAD
    PyObject* func;
    PyObject* on_error;
    vectorcallfunc vectorcall;
};

// Show the pending exception to on_error, then restore it as it was.
void report(GuardObject* g, PyObject* const* args, size_t nargsf, PyObject* kwnames)
{
    PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb && value) PyException_SetTraceback(value, tb);
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    PyRef pos = PyRef::steal(PyTuple_New(nargs));
    PyRef kw = PyRef::steal(PyDict_New());
    bool ok = pos && kw;
    for (Py_ssize_t i = 0; ok && i < nargs; ++i) {
        Py_INCREF(args[i]);
        PyTuple_SET_ITEM(pos.get(), i, args[i]);
    }
    if (ok && kwnames) {
        for (Py_ssize_t i = 0; ok && i < PyTuple_GET_SIZE(kwnames); ++i)
            ok = PyDict_SetItem(kw.get(), PyTuple_GET_ITEM(kwnames, i), args[nargs + i]) == 0;
    }
    if (ok) {
        PyObject* exc = value ? value : Py_None;
        PyRef res = PyRef::steal(
            PyObject_CallFunctionObjArgs(g->on_error, exc, pos.get(), kw.get(), nullptr));
        ok = static_cast<bool>(res);
    }
    if (!ok) PyErr_WriteUnraisable(g->on_error);
    PyErr_Restore(type, value, tb);
}

PyObject* Guard_vectorcall(PyObject* self, PyObject* const* args, size_t nargsf, PyObject* kwnames)
{
    auto* g = reinterpret_cast<GuardObject*>(self);
    PyObject* res = PyObject_Vectorcall(g->func, args, nargsf, kwnames);
    if (!res && PyErr_ExceptionMatches(PyExc_Exception)) report(g, args, nargsf, kwnames);
    return res;
}

void Guard_dealloc(PyObject* self)
{
    auto* g = reinterpret_cast<GuardObject*>(self);
    PyObject_GC_UnTrack(self);
    Py_CLEAR(g->func);
    Py_CLEAR(g->on_error);
    PyObject_GC_Del(self);
}

int Guard_traverse(PyObject* self, visitproc visit, void* arg)
{
    auto* g = reinterpret_cast<GuardObject*>(self);
    Py_VISIT(g->func);
    Py_VISIT(g->on_error);
    return 0;
}

int Guard_clear(PyObject* self)
{
    auto* g = reinterpret_cast<GuardObject*>(self);
    Py_CLEAR(g->func);
    Py_CLEAR(g->on_error);
    return 0;
}

PyObject* Guard_repr(PyObject* self)
{
    return PyUnicode_FromFormat("<wsgiscript guard of %R>", reinterpret_cast<GuardObject*>(self)->func);
}

PyObject* Guard_getattro(PyObject* self, PyObject* name)
{
    // __name__, __doc__, __qualname__, __module__ and the rest come from the
    // wrapped function, so the guard looks like what it wraps.
    PyObject* res = PyObject_GenericGetAttr(self, name);
    if (res || !PyErr_ExceptionMatches(PyExc_AttributeError)) return res;
    PyErr_Clear();
    return PyObject_GetAttr(reinterpret_cast<GuardObject*>(self)->func, name);
}

PyMemberDef Guard_members[] = {
    {"__wrapped__", T_OBJECT, offsetof(GuardObject, func), READONLY, nullptr},
    {"on_error", T_OBJECT, offsetof(GuardObject, on_error), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr},
};

}  // namespace

PyTypeObject GuardType = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "wsgiscript.Guard";
    t.tp_basicsize = sizeof(GuardObject);
    t.tp_dealloc = Guard_dealloc;
    t.tp_vectorcall_offset = offsetof(GuardObject, vectorcall);
    t.tp_repr = Guard_repr;
    t.tp_call = PyVectorcall_Call;
    t.tp_getattro = Guard_getattro;
    t.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL;
    t.tp_doc = "guard(func, on_error): call func; show its exceptions to on_error, then re-raise";
    t.tp_traverse = Guard_traverse;
    t.tp_clear = Guard_clear;
    t.tp_members = Guard_members;
    return t;
}();

PyObject* guard_new(PyObject* func, PyObject* on_error)
{
    if (!PyCallable_Check(func) || !PyCallable_Check(on_error)) {
        PyErr_SetString(PyExc_TypeError, "guard(func, on_error): both must be callable");
        return nullptr;
    }
    auto* g = PyObject_GC_New(GuardObject, &GuardType);
    if (!g) return nullptr;
    Py_INCREF(func);
    Py_INCREF(on_error);
    g->func = func;
    g->on_error = on_error;
    g->vectorcall = Guard_vectorcall;
    PyObject_GC_Track(g);
    return reinterpret_cast<PyObject*>(g);
}

}  // namespace wsgi
