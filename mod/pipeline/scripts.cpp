// scripts.cpp - see scripts.h.
#include "pipeline/scripts.h"

#include "base/py_error.h"
#include "core/options.h"
#include "core/script_source.h"
#include "core/text.h"

#include <apr_file_io.h>

#include <string>

namespace wsgi {

namespace {

std::vector<ScriptLoadedHook>& loaded_hooks()
{
    static std::vector<ScriptLoadedHook> hooks;  // function pointers only; set before Python starts
    return hooks;
}

// The module still current for this entry: in sys.modules under its name
// and, with reloading on, loaded from the file's present mtime.
PyObject* current_module(const ScriptEntry& e, const ScriptLoad& load)
{
    if (!e.module) return nullptr;
    if (load.reloading && e.mtime != load.mtime) return nullptr;
    PyObject* found = PyDict_GetItemWithError(PyImport_GetModuleDict(), e.module_name.get());
    return found == e.module.get() ? found : nullptr;
}

bool file_mtime(const char* path, apr_time_t* mtime)
{
    apr_finfo_t fi;
    apr_pool_t* tmp = nullptr;
    apr_pool_create(&tmp, nullptr);
    apr_status_t rv = apr_stat(&fi, path, APR_FINFO_MTIME, tmp);
    apr_pool_destroy(tmp);
    if (rv != APR_SUCCESS && rv != APR_INCOMPLETE) return false;
    *mtime = fi.mtime;
    return true;
}

bool read_file(const char* path, apr_pool_t* p, std::string* out, apr_status_t* rv)
{
    apr_file_t* f = nullptr;
    *rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, APR_OS_DEFAULT, p);
    if (*rv != APR_SUCCESS) return false;
    apr_finfo_t fi;
    *rv = apr_file_info_get(&fi, APR_FINFO_SIZE, f);
    if (*rv == APR_SUCCESS) {
        out->resize(static_cast<size_t>(fi.size));
        apr_size_t got = 0;
        *rv = fi.size > 0 ? apr_file_read_full(f, out->data(), out->size(), &got) : APR_SUCCESS;
        out->resize(got);
    }
    apr_file_close(f);
    return *rv == APR_SUCCESS;
}

std::string describe(apr_status_t rv)
{
    char buf[256];
    return apr_strerror(rv, buf, sizeof buf);
}

// Remove our half-made module from sys.modules (if it is still ours).
void drop_module(PyObject* name, PyObject* module)
{
    PyObject* modules = PyImport_GetModuleDict();
    PyObject* found = PyDict_GetItemWithError(modules, name);
    if (found == module && PyDict_DelItem(modules, name) < 0) PyErr_Clear();
    if (PyErr_Occurred()) PyErr_Clear();
}

// The script's text, decoded in its declared encoding (PEP 263, default
// UTF-8). Empty, with the reason logged, when it contains a NUL byte or
// bytes its encoding cannot decode: Python would otherwise stop reading at
// the NUL, or never look at the bytes in a comment. GIL held.
PyRef decode_source(const std::string& source, const ScriptLoad& load)
{
    SourceFacts facts = inspect_source(source);
    auto refuse = [&](std::size_t offset, const std::string& what) {
        LineCol lc = line_col(source, offset);
        log_line(load.log, APLOG_ERR, "WSGIS0113",
                 "WSGI script '" + std::string(load.path) + "' cannot be loaded: byte offset " +
                     std::to_string(offset) + " (line " + std::to_string(lc.line) + ", column " +
                     std::to_string(lc.column) + ") " + what);
        return PyRef();
    };
    if (facts.nul_at) return refuse(*facts.nul_at, "is a NUL byte");
    if (!facts.problem.empty()) {
        log_line(load.log, APLOG_ERR, "WSGIS0113",
                 "WSGI script '" + std::string(load.path) + "' cannot be loaded: " + facts.problem);
        return {};
    }
    PyRef text = PyRef::steal(PyUnicode_Decode(source.data() + facts.bom,
                                               static_cast<Py_ssize_t>(source.size() - facts.bom),
                                               facts.encoding.c_str(), "strict"));
    if (text) return text;
    if (PyErr_ExceptionMatches(PyExc_UnicodeDecodeError)) {
        PyRef exc = fetch_exception();
        Py_ssize_t start = 0;
        if (PyUnicodeDecodeError_GetStart(exc.get(), &start) < 0) {
            PyErr_Clear();
            start = 0;
        }
        std::string declared = facts.cookie_line
                                   ? "' (declared on line " + std::to_string(facts.cookie_line) + ")"
                                   : "' (Python's default; declare another with a coding comment)";
        return refuse(facts.bom + static_cast<std::size_t>(start),
                      "is not valid in the encoding '" + facts.encoding + declared);
    }
    log_exception(load.log, APLOG_ERR, "WSGIS0113",
                  "WSGI script '" + std::string(load.path) + "' cannot be loaded: its declared encoding '" +
                      facts.encoding + "' on line " + std::to_string(facts.cookie_line) + " cannot be used");
    return {};
}

// Execute the file as a new module. GIL held, load_mutex held.
PyRef execute(Interpreter* in, ScriptEntry& e, const ScriptLoad& load, const char* why, int* http_status)
{
    apr_time_t started = apr_time_now();
    std::string source;
    apr_status_t rv;
    apr_pool_t* tmp = nullptr;
    apr_pool_create(&tmp, nullptr);
    bool read_ok;
    {
        GilRelease nogil;
        read_ok = read_file(load.path, tmp, &source, &rv);
    }
    apr_pool_destroy(tmp);
    if (!read_ok) {
        log_line(load.log, APLOG_ERR, "WSGIS0108",
                 "cannot read WSGI script '" + std::string(load.path) + "': " + describe(rv));
        *http_status = HTTP_INTERNAL_SERVER_ERROR;
        return {};
    }

    PyRef text = decode_source(source, load);
    if (!text) {
        *http_status = HTTP_INTERNAL_SERVER_ERROR;
        return {};
    }
    Py_ssize_t text_len = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(text.get(), &text_len);
    if (!utf8) {
        log_exception(load.log, APLOG_ERR, "WSGIS0103", "cannot read the text of '" + std::string(load.path) + "'");
        *http_status = HTTP_INTERNAL_SERVER_ERROR;
        return {};
    }

    PyObject* modules = PyImport_GetModuleDict();
    bool reload = e.generation > 0;
    long generation = e.generation + 1;

    PyRef module = PyRef::steal(PyModule_NewObject(e.module_name.get()));
    PyRef path = PyRef::steal(PyUnicode_DecodeFSDefault(load.path));
    PyRef mtime = PyRef::steal(PyLong_FromLongLong(load.mtime));
    PyRef gen = PyRef::steal(PyLong_FromLong(generation));
    if (!module || !path || !mtime || !gen) {
        log_exception(load.log, APLOG_ERR, "WSGIS0103", "cannot create the module for '" + std::string(load.path) + "'");
        *http_status = HTTP_INTERNAL_SERVER_ERROR;
        return {};
    }
    PyObject* dict = PyModule_GetDict(module.get());
    if (PyDict_SetItemString(dict, "__file__", path.get()) < 0 ||
        PyDict_SetItemString(dict, "__mtime__", mtime.get()) < 0 ||
        PyDict_SetItemString(dict, "__wsgiscript_generation__", gen.get()) < 0 ||
        PyDict_SetItemString(dict, "__builtins__", PyEval_GetBuiltins()) < 0 ||
        PyDict_SetItem(modules, e.module_name.get(), module.get()) < 0) {
        log_exception(load.log, APLOG_ERR, "WSGIS0103", "cannot set up the module for '" + std::string(load.path) + "'");
        *http_status = HTTP_INTERNAL_SERVER_ERROR;
        return {};
    }

    // Already decoded: the compiler must not apply the coding comment again.
    PyCompilerFlags flags = _PyCompilerFlags_INIT;
    flags.cf_flags = PyCF_IGNORE_COOKIE;
    PyRef code = PyRef::steal(Py_CompileStringObject(utf8, path.get(), Py_file_input, &flags, -1));
    PyRef res;
    if (code) res = PyRef::steal(PyEval_EvalCode(code.get(), dict, dict));
    if (!res) {
        bool exit = PyErr_ExceptionMatches(PyExc_SystemExit);
        if (exit)
            log_exception(load.log, APLOG_WARNING, "WSGIS0104",
                          "SystemExit exception raised when doing exec of Python script file '" +
                              std::string(load.path) + "' was ignored; the script is not loaded");
        else
            log_exception(load.log, APLOG_ERR, "WSGIS0103",
                          "Failed to exec Python script file '" + std::string(load.path) + "': Target WSGI script '" +
                              load.path + "' cannot be loaded as Python module '" +
                              PyUnicode_AsUTF8(e.module_name.get()) + "'; traceback follows");
        drop_module(e.module_name.get(), module.get());
        e.module.reset();
        *http_status = HTTP_INTERNAL_SERVER_ERROR;
        return {};
    }

    e.module = module;
    e.mtime = load.mtime;
    e.loaded_at = started;
    e.generation = generation;
    apr_time_t now = apr_time_now();
    if (e.history.size() >= ScriptEntry::kHistory) e.history.erase(e.history.begin());
    e.history.push_back(LoadEvent{generation, load.mtime, now});
    if (!e.first_loaded) e.first_loaded = now;
    if (reload) e.last_reloaded = now;
    const char* name = PyUnicode_AsUTF8(e.module_name.get());
    LogTarget server = LogTarget::of(load.log.s);
    if (reload)
        log_fmt(server, APLOG_INFO, "WSGIS0102",
                "Reloading WSGI script '%s': module '%s' in interpreter '%s', generation %ld (%s)", load.path, name,
                in->name().c_str(), generation,
                why ? why : "its modification time changed");
    else
        log_fmt(server, APLOG_INFO, "WSGIS0101",
                "Loading Python script file '%s': module '%s' in interpreter '%s', generation %ld", load.path, name,
                in->name().c_str(), generation);
    for (ScriptLoadedHook hook : loaded_hooks()) hook(in, e, load.log);
    return module;
}

// mod_wsgi's own rules on top of the mtime: a module that has lost its
// __mtime__ is reloaded, and one that defines reload_required(resource) is
// asked (True: reload). An exception there is logged with its traceback
// and means no reload. Asked once per request, before the fast path.
// Why to reload, or nullptr.
const char* script_asks_reload(const ScriptEntry& e, const ScriptLoad& load)
{
    if (!load.ask_script || !e.module) return nullptr;
    PyObject* dict = PyModule_GetDict(e.module.get());
    if (!dict) return nullptr;
    PyObject* mtime = PyDict_GetItemString(dict, "__mtime__");  // borrowed
    if (!mtime) return "the module has no __mtime__";
    PyObject* ask = PyDict_GetItemString(dict, "reload_required");  // borrowed
    if (!ask) return nullptr;
    PyRef hold = PyRef::borrow(ask);
    PyRef path = PyRef::steal(PyUnicode_DecodeFSDefault(load.path));
    PyRef result = path ? PyRef::steal(PyObject_CallOneArg(ask, path.get())) : PyRef();
    int yes = result ? PyObject_IsTrue(result.get()) : -1;
    if (yes < 0) {
        log_exception(load.log, APLOG_ERR, "WSGIS0114",
                      "reload_required() of '" + std::string(load.path) + "' raised; not reloading it");
        return nullptr;
    }
    return yes == 1 ? "reload_required() returned true" : nullptr;
}

}  // namespace

void on_script_loaded(ScriptLoadedHook hook) { loaded_hooks().push_back(hook); }

bool script_changed(Interpreter* in, const ScriptLoad& load)
{
    std::string key = load.case_sensitive ? std::string(load.path) : ascii_lower(load.path);
    const ScriptTable& table = in->state<ScriptTable>();
    auto it = table.entries.find(key);
    if (it == table.entries.end() || !it->second.module) return false;
    if (it->second.mtime != load.mtime) {
        // The Apache child read load.mtime, perhaps before a change that
        // this process has already loaded: the file decides.
        apr_time_t now = 0;
        if (!file_mtime(load.path, &now) || now != it->second.mtime) return true;
    }
    return script_asks_reload(it->second, load) != nullptr;
}

PyRef load_script(Interpreter* in, const ScriptLoad& load_in, int* http_status)
{
    ScriptLoad load = load_in;
    if (load.mtime == 0) {
        load.seen_at = apr_time_now();
        apr_finfo_t fi;
        apr_pool_t* tmp = nullptr;
        apr_pool_create(&tmp, nullptr);
        apr_status_t rv = apr_stat(&fi, load.path, APR_FINFO_MTIME | APR_FINFO_TYPE, tmp);
        apr_pool_destroy(tmp);
        if (rv != APR_SUCCESS) {
            log_line(load.log, APLOG_ERR, "WSGIS0106",
                     "Target WSGI script not found or unable to stat: " + std::string(load.path) + " (" + describe(rv) + ")");
            *http_status = HTTP_NOT_FOUND;
            return {};
        }
        load.mtime = fi.mtime;
    }

    // Under WSGICaseSensitivity Off, two spellings of a path are one script.
    std::string lowered;
    std::string_view key = load.path;
    if (!load.case_sensitive) {
        lowered = ascii_lower(load.path);
        key = lowered;
    }
    ScriptTable& table = in->state<ScriptTable>();
    auto it = table.entries.find(key);
    const char* asked = it != table.entries.end() ? script_asks_reload(it->second, load) : nullptr;
    if (it != table.entries.end() && !asked)
        if (PyObject* m = current_module(it->second, load)) return PyRef::borrow(m);
    if (PyErr_Occurred()) PyErr_Clear();

    // Slow path: take the loading lock without the GIL, then look again.
    std::unique_lock lock(table.load_mutex, std::defer_lock);
    {
        GilRelease nogil;
        lock.lock();
    }

    auto found = table.entries.find(key);
    if (found == table.entries.end()) found = table.entries.emplace(std::string(key), ScriptEntry{}).first;
    ScriptEntry& e = found->second;
    if (e.path.empty()) e.path = load.path;
    if (!asked)
        if (PyObject* m = current_module(e, load)) return PyRef::borrow(m);
    if (PyErr_Occurred()) PyErr_Clear();
    // Loaded by another thread that began reading the file after this
    // request looked at it: that text is at least as new as what this
    // request saw, so running the script again (under this request's older
    // mtime) would be a second reload for one change.
    if (e.module && e.loaded_at >= load.seen_at) {
        PyObject* m = PyDict_GetItemWithError(PyImport_GetModuleDict(), e.module_name.get());
        if (m == e.module.get()) return PyRef::borrow(m);
        if (PyErr_Occurred()) PyErr_Clear();
    }
    if (!e.module_name) {
        std::string name = module_name_for(load.path, load.case_sensitive);
        e.module_name = PyRef::steal(PyUnicode_InternFromString(name.c_str()));
        if (!e.module_name) {
            log_exception(load.log, APLOG_ERR, "WSGIS0103", "cannot name the module of '" + std::string(load.path) + "'");
            *http_status = HTTP_INTERNAL_SERVER_ERROR;
            return {};
        }
    }
    if (load.stat_on_load) {
        apr_time_t mtime = 0;
        if (file_mtime(load.path, &mtime)) load.mtime = mtime;
    }
    return execute(in, e, load, asked, http_status);
}

}  // namespace wsgi

