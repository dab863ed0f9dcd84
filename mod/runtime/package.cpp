// package.cpp - see package.h.
#include "runtime/package.h"

#include "base/py_ref.h"
#include "runtime/embedded.h"

namespace wsgi {

namespace {

// The import hook that serves the embedded package from `_sources`.
const char kFinderSource[] = R"PY(
import sys

class WsgiscriptFinder:
    """Imports the wsgiscript package compiled into mod_wsgiscript."""

    def __init__(self, sources):
        self._sources = sources

    def find_spec(self, name, path=None, target=None):
        entry = self._sources.get(name)
        if entry is None:
            return None
        # The bootstrap's own class: importlib.machinery would import the
        # importlib package and warnings into every child (RSS, issue 6).
        from _frozen_importlib import ModuleSpec
        spec = ModuleSpec(name, self, origin=entry[1], is_package=entry[2])
        spec.has_location = True
        return spec

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        index, filename, _ = self._sources[module.__spec__.name]
        exec(compile(_embedded_source(index), filename, 'exec', dont_inherit=True), module.__dict__)

    def get_source(self, name):
        return _embedded_source(self._sources[name][0])

sys.meta_path.insert(0, WsgiscriptFinder(_sources))
)PY";

// _embedded_source(i): the text of kEmbeddedSources[i], made when a module
// of the package is imported rather than kept as a str in every interpreter.
PyObject* py_embedded_source(PyObject*, PyObject* arg)
{
    Py_ssize_t i = PyNumber_AsSsize_t(arg, PyExc_IndexError);
    if (i == -1 && PyErr_Occurred()) return nullptr;
    if (i < 0 || static_cast<size_t>(i) >= kEmbeddedSourceCount) {
        PyErr_SetString(PyExc_IndexError, "no such embedded source");
        return nullptr;
    }
    return PyUnicode_FromString(kEmbeddedSources[i].source);
}

PyMethodDef kEmbeddedSourceDef = {"_embedded_source", py_embedded_source, METH_O,
                                  "_embedded_source(index) -> source text"};

}  // namespace

bool install_package_finder()
{
    PyRef sources = PyRef::steal(PyDict_New());
    if (!sources) return false;
    for (size_t i = 0; i < kEmbeddedSourceCount; ++i) {
        const EmbeddedSource& e = kEmbeddedSources[i];
        PyRef v = PyRef::steal(Py_BuildValue("(nsO)", static_cast<Py_ssize_t>(i), e.filename,
                                             e.is_package ? Py_True : Py_False));
        if (!v || PyDict_SetItemString(sources.get(), e.module, v.get()) < 0) return false;
    }
    PyRef loader = PyRef::steal(PyCFunction_NewEx(&kEmbeddedSourceDef, nullptr, nullptr));
    PyRef globals = PyRef::steal(PyDict_New());
    if (!loader || !globals || PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins()) < 0 ||
        PyDict_SetItemString(globals.get(), "_sources", sources.get()) < 0 ||
        PyDict_SetItemString(globals.get(), "_embedded_source", loader.get()) < 0)
        return false;
    PyRef res = PyRef::steal(PyRun_String(kFinderSource, Py_file_input, globals.get(), globals.get()));
    return static_cast<bool>(res);
}

bool install_private_module(bool multithread, const std::vector<PyMethodDef*>& tables)
{
    PyRef m = PyRef::steal(PyModule_New("_wsgiscript"));
    if (!m) return false;
    for (PyMethodDef* table : tables)
        if (PyModule_AddFunctions(m.get(), table) < 0) return false;
    if (!add_to_module(m.get(), "multithread", PyRef::steal(PyBool_FromLong(multithread)))) return false;
    return add_to_sys_modules(m.get());
}

}  // namespace wsgi
