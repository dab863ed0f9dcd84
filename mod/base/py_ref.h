// py_ref.h - the one owning handle for PyObject*.
//
// GIL: every operation that touches a reference count (constructor from
// steal/borrow, copy, reset, destructor) must run with the GIL held and the
// owning interpreter's thread state current. A PyRef never outlives the
// interpreter that made its object: interpreter-owned PyRefs live in
// wsgi::Interpreter and are cleared before that interpreter is torn down.
#pragma once

#include <Python.h>
#include <utility>

namespace wsgi {

class PyRef {
public:
    PyRef() noexcept = default;
    // Take ownership of a new reference (may be null: then the PyRef is empty).
    static PyRef steal(PyObject* o) noexcept { return PyRef(o); }
    // Add a reference to a borrowed object.
    static PyRef borrow(PyObject* o) noexcept { Py_XINCREF(o); return PyRef(o); }

    PyRef(const PyRef& other) noexcept : obj_(other.obj_) { Py_XINCREF(obj_); }
    PyRef(PyRef&& other) noexcept : obj_(std::exchange(other.obj_, nullptr)) {}
    PyRef& operator=(PyRef other) noexcept { std::swap(obj_, other.obj_); return *this; }
    ~PyRef() { Py_XDECREF(obj_); }

    PyObject* get() const noexcept { return obj_; }
    // Give the reference away (e.g. to a function that steals it).
    PyObject* release() noexcept { return std::exchange(obj_, nullptr); }
    void reset() noexcept { Py_CLEAR(obj_); }
    explicit operator bool() const noexcept { return obj_ != nullptr; }

private:
    explicit PyRef(PyObject* o) noexcept : obj_(o) {}
    PyObject* obj_ = nullptr;
};

// module.name = value; false (a Python error set) when value is empty or
// the module refuses it.
inline bool add_to_module(PyObject* module, const char* name, const PyRef& value)
{
    return value && PyModule_AddObjectRef(module, name, value.get()) == 0;
}

// sys.modules[module.__name__] = module, keyed by the module's own name
// object, as the import system does.
inline bool add_to_sys_modules(PyObject* module)
{
    PyRef name = PyRef::steal(PyModule_GetNameObject(module));
    return name && PyDict_SetItem(PyImport_GetModuleDict(), name.get(), module) == 0;
}

}  // namespace wsgi
