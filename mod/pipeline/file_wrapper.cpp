// file_wrapper.cpp - see file_wrapper.h.
#include "pipeline/file_wrapper.h"

#include "base/boundary.h"
#include "base/py_ref.h"

#include <structmember.h>
#include <sys/stat.h>
#include <unistd.h>

namespace wsgi {

namespace {

struct FileWrapperObject {
    PyObject_HEAD
    PyObject* filelike;  // owned (a type slot's field: released in tp_dealloc)
    Py_ssize_t blksize;
};

PyObject* FileWrapper_new(PyTypeObject* type, PyObject* args, PyObject* kwargs)
{
    return py_entry([&]() -> PyObject* {
        static const char* kwlist[] = {"filelike", "blksize", nullptr};
        PyObject* filelike;
        Py_ssize_t blksize = 8192;
        if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|n:file_wrapper", const_cast<char**>(kwlist), &filelike,
                                         &blksize))
            return nullptr;
        if (blksize <= 0) {
            PyErr_SetString(PyExc_ValueError, "blksize must be positive");
            return nullptr;
        }
        auto* fw = reinterpret_cast<FileWrapperObject*>(type->tp_alloc(type, 0));
        if (!fw) return nullptr;
        fw->filelike = PyRef::borrow(filelike).release();
        fw->blksize = blksize;
        return reinterpret_cast<PyObject*>(fw);
    });
}

PyObject* FileWrapper_iter(PyObject* self) { return Py_NewRef(self); }

PyObject* FileWrapper_next(PyObject* self)
{
    return py_entry([&]() -> PyObject* {
        auto* fw = reinterpret_cast<FileWrapperObject*>(self);
        PyRef data = PyRef::steal(PyObject_CallMethod(fw->filelike, "read", "n", fw->blksize));
        if (!data) return nullptr;
        if (PyBytes_Check(data.get()) && PyBytes_GET_SIZE(data.get()) == 0) return nullptr;  // StopIteration
        return data.release();
    });
}

PyObject* FileWrapper_close(PyObject* self, PyObject*)
{
    return py_entry([&]() -> PyObject* {
        auto* fw = reinterpret_cast<FileWrapperObject*>(self);
        PyRef close = PyRef::steal(PyObject_GetAttrString(fw->filelike, "close"));
        if (!close) {
            PyErr_Clear();
            Py_RETURN_NONE;
        }
        return PyObject_CallNoArgs(close.get());
    });
}

void FileWrapper_dealloc(PyObject* self)
{
    Py_CLEAR(reinterpret_cast<FileWrapperObject*>(self)->filelike);
    Py_TYPE(self)->tp_free(self);
}

PyMethodDef FileWrapper_methods[] = {
    {"close", FileWrapper_close, METH_NOARGS, "close the wrapped file-like"},
    {nullptr, nullptr, 0, nullptr},
};

PyMemberDef FileWrapper_members[] = {
    {"filelike", T_OBJECT, offsetof(FileWrapperObject, filelike), READONLY, nullptr},
    {"blksize", T_PYSSIZET, offsetof(FileWrapperObject, blksize), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr},
};

}  // namespace

PyTypeObject FileWrapperType = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "wsgiscript.FileWrapper";
    t.tp_basicsize = sizeof(FileWrapperObject);
    t.tp_dealloc = FileWrapper_dealloc;
    t.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
    t.tp_doc = "wsgi.file_wrapper(filelike, blksize=8192)";
    t.tp_iter = FileWrapper_iter;
    t.tp_iternext = FileWrapper_next;
    t.tp_methods = FileWrapper_methods;
    t.tp_members = FileWrapper_members;
    t.tp_new = FileWrapper_new;
    return t;
}();

bool file_wrapper_range(PyObject* wrapper, int* fd_out, apr_off_t* offset_out, apr_off_t* length_out)
{
    PyObject* filelike = reinterpret_cast<FileWrapperObject*>(wrapper)->filelike;
    PyRef fileno = PyRef::steal(PyObject_CallMethod(filelike, "fileno", nullptr));
    if (!fileno) {
        PyErr_Clear();
        return false;
    }
    int fd = static_cast<int>(PyLong_AsLong(fileno.get()));
    struct stat st;
    if (fd < 0 || PyErr_Occurred() || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        PyErr_Clear();
        return false;
    }
    apr_off_t offset = -1;
    PyRef pos = PyRef::steal(PyObject_CallMethod(filelike, "tell", nullptr));
    if (pos) offset = PyLong_AsLongLong(pos.get());
    if (!pos || PyErr_Occurred()) {
        PyErr_Clear();
        offset = lseek(fd, 0, SEEK_CUR);
    }
    if (offset < 0) return false;
    *fd_out = fd;
    *offset_out = offset;
    *length_out = st.st_size > offset ? st.st_size - offset : 0;
    return true;
}

}  // namespace wsgi
