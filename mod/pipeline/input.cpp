// input.cpp - wsgi.input (see input.h).
#include "pipeline/input.h"

#include "base/boundary.h"
#include "base/py_ref.h"
#include "core/body_reader.h"
#include "core/fault.h"
#include "runtime/gil.h"

#include <new>
#include <string>

namespace wsgi {

namespace {

// The transport's body, read with the GIL given up while waiting.
class UnlockedSource final : public BodySource {
public:
    explicit UnlockedSource(BodySource& inner) : inner_(inner) {}
    long read(char* buf, std::size_t max) override
    {
        GilRelease nogil;
        return inner_.read(buf, max);
    }
    std::string error() const override { return inner_.error(); }

private:
    BodySource& inner_;
};

struct InputState {
    explicit InputState(Transport& t) : source(t.body()), reader(source) {}
    UnlockedSource source;
    BodyReader reader;
};

struct InputObject {
    PyObject_HEAD
    InputState* state;
};

InputState* state_of(PyObject* o) { return reinterpret_cast<InputObject*>(o)->state; }

// A bytes object that grows as the reader asks, trimmed at the end.
class BytesSink final : public BodySink {
public:
    char* reserve(std::size_t used, std::size_t more) override
    {
        std::size_t need = used + more;
        if (need <= cap_) return PyBytes_AS_STRING(obj_.get());
        std::size_t cap = std::max(need, cap_ + cap_ / 2);
        if (cap > static_cast<std::size_t>(PY_SSIZE_T_MAX)) throw std::bad_alloc();
        if (!obj_) {
            obj_ = PyRef::steal(PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(cap)));
        } else {
            PyObject* raw = obj_.release();
            if (_PyBytes_Resize(&raw, static_cast<Py_ssize_t>(cap)) == 0) obj_ = PyRef::steal(raw);
        }
        if (!obj_) {
            PyErr_Clear();
            cap_ = 0;
            throw std::bad_alloc();
        }
        cap_ = cap;
        return PyBytes_AS_STRING(obj_.get());
    }

    // The bytes object of the first n bytes (new reference).
    PyObject* finish(std::size_t n)
    {
        if (!obj_ || n == 0) return PyBytes_FromStringAndSize(nullptr, 0);
        if (n == cap_) return obj_.release();
        PyObject* raw = obj_.release();
        if (_PyBytes_Resize(&raw, static_cast<Py_ssize_t>(n)) < 0) return nullptr;
        return raw;
    }

private:
    PyRef obj_;
    std::size_t cap_ = 0;
};

bool size_arg(PyObject* const* args, Py_ssize_t nargs, long long* size)
{
    *size = -1;
    if (nargs > 1) {
        PyErr_SetString(PyExc_TypeError, "expected at most one argument");
        return false;
    }
    if (nargs == 1 && args[0] != Py_None) {
        Py_ssize_t v = PyNumber_AsSsize_t(args[0], PyExc_OverflowError);
        if (v == -1 && PyErr_Occurred()) return false;
        *size = v;
    }
    return true;
}

PyObject* read_failed(InputState* st)
{
    PyErr_SetString(PyExc_OSError, ("wsgi.input: " + st->reader.error()).c_str());
    return nullptr;
}

// read(size) or readline(limit) into a new bytes object.
template <bool Line>
PyObject* read_into_bytes(InputState* st, long long size)
{
    WSGIS_FAULT("input.read");
    BytesSink sink;
    std::size_t n = 0;
    bool ok = Line ? st->reader.readline(size, sink, &n) : st->reader.read(size, sink, &n);
    if (!ok) return read_failed(st);
    return sink.finish(n);
}

PyObject* Input_read(PyObject* o, PyObject* const* args, Py_ssize_t nargs)
{
    return py_entry([&]() -> PyObject* {
        long long size;
        if (!size_arg(args, nargs, &size)) return nullptr;
        return read_into_bytes<false>(state_of(o), size);
    });
}

PyObject* Input_readline(PyObject* o, PyObject* const* args, Py_ssize_t nargs)
{
    return py_entry([&]() -> PyObject* {
        long long size;
        if (!size_arg(args, nargs, &size)) return nullptr;
        return read_into_bytes<true>(state_of(o), size);
    });
}

PyObject* Input_readlines(PyObject* o, PyObject* const* args, Py_ssize_t nargs)
{
    return py_entry([&]() -> PyObject* {
        long long hint;
        if (!size_arg(args, nargs, &hint)) return nullptr;
        PyRef lines = PyRef::steal(PyList_New(0));
        if (!lines) return nullptr;
        long long total = 0;
        for (;;) {
            PyRef line = PyRef::steal(read_into_bytes<true>(state_of(o), -1));
            if (!line) return nullptr;
            Py_ssize_t n = PyBytes_GET_SIZE(line.get());
            if (n == 0) break;
            if (PyList_Append(lines.get(), line.get()) < 0) return nullptr;
            total += n;
            if (hint > 0 && total >= hint) break;
        }
        return lines.release();
    });
}

PyObject* Input_iter(PyObject* self) { return Py_NewRef(self); }

PyObject* Input_next(PyObject* o)
{
    return py_entry([&]() -> PyObject* {
        PyRef line = PyRef::steal(read_into_bytes<true>(state_of(o), -1));
        if (line && PyBytes_GET_SIZE(line.get()) == 0) return nullptr;  // StopIteration
        return line.release();
    });
}

PyObject* Input_close(PyObject*, PyObject*) { Py_RETURN_NONE; }

void Input_dealloc(PyObject* o)
{
    delete reinterpret_cast<InputObject*>(o)->state;
    Py_TYPE(o)->tp_free(o);
}

PyMethodDef Input_methods[] = {
    {"read", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Input_read)), METH_FASTCALL,
     "read([size]) -> bytes; b'' at the end of the body"},
    {"readline", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Input_readline)),
     METH_FASTCALL, "readline([limit]) -> bytes"},
    {"readlines", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(Input_readlines)),
     METH_FASTCALL, "readlines([hint]) -> list of bytes"},
    {"close", Input_close, METH_NOARGS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

}  // namespace

PyTypeObject InputType = [] {
    PyTypeObject t{PyVarObject_HEAD_INIT(nullptr, 0)};
    t.tp_name = "wsgiscript.Input";
    t.tp_basicsize = sizeof(InputObject);
    t.tp_dealloc = Input_dealloc;
    t.tp_flags = Py_TPFLAGS_DEFAULT;
    t.tp_doc = "The request body (wsgi.input)";
    t.tp_iter = Input_iter;
    t.tp_iternext = Input_next;
    t.tp_methods = Input_methods;
    return t;
}();

PyObject* input_new(Transport& t)
{
    return py_entry([&]() -> PyObject* {
        auto* self = PyObject_New(InputObject, &InputType);
        if (!self) return nullptr;
        self->state = nullptr;
        PyRef owner = PyRef::steal(reinterpret_cast<PyObject*>(self));
        self->state = new InputState(t);
        return owner.release();
    });
}

void input_detach(PyObject* input) { state_of(input)->reader.detach(); }

bool input_failed(PyObject* input) { return !state_of(input)->reader.error().empty(); }

}  // namespace wsgi
