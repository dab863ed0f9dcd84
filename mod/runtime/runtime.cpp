// runtime.cpp - see runtime.h.
#include "runtime/runtime.h"

#include "base/boundary.h"
#include "base/py_error.h"
#include "core/fault.h"
#include "runtime/package.h"

#include <apr_file_info.h>

#include <atomic>

namespace wsgi {

namespace {

// This thread's thread state per interpreter index. The thread states
// themselves belong to their interpreters (deleted when those end); the
// vector goes with the thread.
thread_local std::vector<PyThreadState*> t_slots;
thread_local int t_python_activity = 0;

Runtime* g_runtime = nullptr;  // the process's runtime (no Python objects)
// A runtime whose interpreters could not be ended at exit (application
// threads still running, or the exit ran in a signal handler): kept, on
// purpose, until the process ends (volatile: written only, the store must stay).
Runtime* volatile g_abandoned = nullptr;

constexpr const char kInterpreterKey[] = "wsgiscript.interpreter";

PyThreadState*& slot(unsigned index)
{
    if (index >= t_slots.size()) t_slots.resize(index + 1, nullptr);
    return t_slots[index];
}

bool file_exists(const char* path, apr_pool_t* p)
{
    apr_finfo_t fi;
    return apr_stat(&fi, path, APR_FINFO_TYPE, p) == APR_SUCCESS;
}

// A PyConfig for WSGIPythonHome (a plain installation or a virtual
// environment, recognised by its pyvenv.cfg) and the process-wide settings
// (WSGIDontWriteBytecode, WSGIPythonOptimize, WSGIPythonWarnings,
// WSGIPythonHashSeed): what python -B, -O, -W and PYTHONHASHSEED set.
PyStatus configure(PyConfig* config, const RuntimeOptions& o, apr_pool_t* p)
{
    const char* home = o.python_home;
    PyConfig_InitPythonConfig(config);
    config->install_signal_handlers = 0;
    config->parse_argv = 0;
    config->user_site_directory = 0;
    config->configure_c_stdio = 0;
    config->buffered_stdio = 0;
    if (!o.write_bytecode) config->write_bytecode = 0;
    config->optimization_level = o.optimization_level;
    if (o.use_hash_seed) {
        config->use_hash_seed = 1;
        config->hash_seed = o.hash_seed;
    }
    PyStatus st;
    for (const std::string& w : o.warn_options) {
        wchar_t* wide = Py_DecodeLocale(w.c_str(), nullptr);
        if (!wide) return PyStatus_Error("WSGIPythonWarnings: a filter could not be decoded");
        st = PyWideStringList_Append(&config->warnoptions, wide);
        PyMem_RawFree(wide);
        if (PyStatus_Exception(st)) return st;
    }
    wchar_t* argv[] = {const_cast<wchar_t*>(L"mod_wsgi")};
    st = PyConfig_SetArgv(config, 1, argv);
    if (PyStatus_Exception(st)) return st;
    const char* program = WSGISCRIPT_PYTHON_EXECUTABLE;
    if (home) {
        const char* cfg = apr_pstrcat(p, home, "/pyvenv.cfg", nullptr);
        if (file_exists(cfg, p)) {
            program = apr_pstrcat(p, home, "/bin/python3", nullptr);
            if (!file_exists(program, p)) program = apr_pstrcat(p, home, "/bin/python", nullptr);
        } else {
            st = PyConfig_SetBytesString(config, &config->home, home);
            if (PyStatus_Exception(st)) return st;
        }
    }
    return PyConfig_SetBytesString(config, &config->program_name, program);
}

// This thread's state of the main interpreter: the simplified GIL API's own
// state for the thread, kept for good (its count never returns to zero), so
// C extensions using PyGILState_Ensure() find it instead of making another.
// Call without the GIL.
PyThreadState* main_thread_state()
{
    PyThreadState*& ts = slot(0);
    if (!ts) {
        PyGILState_Ensure();  // never released: leaves this thread holding the GIL in its new state
        AdoptGil gil;
        ts = PyThreadState_Get();
    }
    return ts;
}

// WSGISwitchInterval (or a daemon's switch-interval=): one value for the
// process, whose interpreters share one GIL. GIL held.
void set_switch_interval(double seconds, server_rec* s)
{
    PyRef sys = PyRef::steal(PyImport_ImportModule("sys"));
    PyRef res = sys ? PyRef::steal(PyObject_CallMethod(sys.get(), "setswitchinterval", "d", seconds)) : PyRef();
    if (!res) {
        log_exception(LogTarget::of(s), APLOG_ERR, "WSGIS0907",
                      "sys.setswitchinterval(" + std::to_string(seconds) + ") failed");
        return;
    }
    log_fmt(LogTarget::of(s), APLOG_INFO, "WSGIS0907", "switch interval set to %.6f s in process %" APR_PID_T_FMT,
            seconds, getpid());
}

// Run the interpreter's atexit callbacks and flush its stdout/stderr.
void run_atexit(Interpreter* in, server_rec* s)
{
    PyRef atexit = PyRef::steal(PyImport_ImportModule("atexit"));
    PyRef res;
    if (atexit) res = PyRef::steal(PyObject_CallMethod(atexit.get(), "_run_exitfuncs", nullptr));
    if (!res)
        log_exception(LogTarget::of(s), APLOG_ERR, "WSGIS0504",
                      "atexit callbacks of interpreter '" + in->name() + "' failed");
    for (const char* name : {"stdout", "stderr"}) {
        PyObject* f = PySys_GetObject(name);  // borrowed
        if (f) {
            PyRef flushed = PyRef::steal(PyObject_CallMethod(f, "flush", nullptr));
            if (!flushed) PyErr_Clear();
        }
    }
}

// Wait (bounded) for the threads the application started; the number still
// running afterwards. GIL held, `in` current.
long wait_for_app_threads(Interpreter* in, server_rec* s, double timeout)
{
    static const char kWait[] = R"PY(
def _wait(timeout):
    import sys
    th = sys.modules.get('threading')
    if th is None:
        return (0, 0)
    import time
    deadline = time.monotonic() + timeout
    # What Python's own shutdown does first: the hooks that tell idle
    # workers (concurrent.futures executors) to stop.
    for hook in reversed(list(getattr(th, '_threading_atexits', ()))):
        try:
            hook()
        except Exception:
            pass
    me = th.current_thread()
    def started_by_app(t):
        return t is not me and t is not th.main_thread() and not isinstance(t, th._DummyThread)
    for t in th.enumerate():
        if started_by_app(t) and not t.daemon:
            t.join(max(0.0, deadline - time.monotonic()))
    alive = [t for t in th.enumerate() if started_by_app(t) and t.is_alive()]
    return (sum(1 for t in alive if not t.daemon), sum(1 for t in alive if t.daemon))
)PY";
    PyRef globals = PyRef::steal(PyDict_New());
    PyRef res, count;
    if (globals && PyDict_SetItemString(globals.get(), "__builtins__", PyEval_GetBuiltins()) == 0)
        res = PyRef::steal(PyRun_String(kWait, Py_file_input, globals.get(), globals.get()));
    if (res) {
        PyObject* fn = PyDict_GetItemString(globals.get(), "_wait");  // borrowed
        if (fn) count = PyRef::steal(PyObject_CallFunction(fn, "d", timeout));
    }
    long n = -1, daemons = 0;
    if (count && !PyArg_ParseTuple(count.get(), "ll", &n, &daemons)) n = -1;
    LogTarget to = LogTarget::of(s);
    if (n < 0) {
        log_exception(to, APLOG_WARNING, "WSGIS0505",
                      "could not wait for the Python threads of interpreter '" + in->name() + "'");
        return -1;
    }
    if (n > 0)
        log_fmt(to, APLOG_WARNING, "WSGIS0505",
                "%ld non-daemon Python thread(s) of interpreter '%s' still running when the %.0f s wait "
                "for application threads at child exit ended; the process exits without them",
                n, in->name().c_str(), static_cast<double>(apr_time_sec(Runtime::kThreadWait)));
    else if (daemons > 0)
        log_fmt(to, APLOG_INFO, "WSGIS0507",
                "%ld daemon Python thread(s) of interpreter '%s' still running at child exit; the "
                "interpreter is left to the process exit",
                daemons, in->name().c_str());
    return n + daemons;
}

// Destroy the thread states other threads made in `in` (those threads have
// ended: the MPM joined them before the child pool is destroyed).
void drop_other_thread_states(Interpreter* in, PyThreadState* keep)
{
    std::vector<PyThreadState*> others;
    for (PyThreadState* t = PyInterpreterState_ThreadHead(in->state()); t; t = PyThreadState_Next(t))
        if (t != keep) others.push_back(t);
    for (PyThreadState* t : others) {
        PyThreadState_Clear(t);
        PyThreadState_Delete(t);
    }
}

}  // namespace

bool add_site_directories(const std::vector<std::string>& dirs)
{
    if (dirs.empty()) return true;
    PyRef site = PyRef::steal(PyImport_ImportModule("site"));
    PyObject* path = PySys_GetObject("path");  // borrowed
    if (!site || !path || !PyList_Check(path)) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "sys.path is not a list");
        return false;
    }
    PyRef before = PyRef::steal(PySequence_List(path));
    if (!before) return false;
    for (const std::string& dir : dirs) {
        PyRef res = PyRef::steal(PyObject_CallMethod(site.get(), "addsitedir", "s", dir.c_str()));
        if (!res) return false;
    }
    // What addsitedir() appended (the directories and their .pth entries)
    // goes in front, in its order: the way mod_wsgi orders WSGIPythonPath.
    path = PySys_GetObject("path");
    if (!path || !PyList_Check(path)) return true;
    PyRef added = PyRef::steal(PyList_New(0));
    PyRef kept = PyRef::steal(PyList_New(0));
    if (!added || !kept) return false;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(path); ++i) {
        PyObject* item = PyList_GET_ITEM(path, i);  // borrowed
        int old = PySequence_Contains(before.get(), item);
        if (old < 0 || PyList_Append(old ? kept.get() : added.get(), item) < 0) return false;
    }
    if (PyList_GET_SIZE(added.get()) == 0) return true;
    PyRef all = PyRef::steal(PySequence_Concat(added.get(), kept.get()));
    return all && PyList_SetSlice(path, 0, PyList_GET_SIZE(path), all.get()) == 0;
}

PythonActivity::PythonActivity() { ++t_python_activity; }
PythonActivity::~PythonActivity() { --t_python_activity; }
bool PythonActivity::on_this_thread() { return t_python_activity > 0; }

unsigned Interpreter::next_state_id()
{
    static std::atomic<unsigned> next{0};
    return next++;
}

PyThreadState* Interpreter::thread_state()
{
    if (is_main_) return main_thread_state();
    PyThreadState*& ts = slot(index_);
    if (!ts) {
        // Python binds the FIRST thread state a thread makes to the
        // PyGILState API, whatever its interpreter: make the main
        // interpreter's first, or %{GLOBAL} would run in this sub-interpreter.
        main_thread_state();
        ts = PyThreadState_New(state_);
    }
    return ts;
}

Interpreter* Interpreter::current()
{
    PyObject* dict = PyInterpreterState_GetDict(PyInterpreterState_Get());  // borrowed
    PyObject* capsule = dict ? PyDict_GetItemString(dict, kInterpreterKey) : nullptr;  // borrowed
    return capsule ? static_cast<Interpreter*>(PyCapsule_GetPointer(capsule, kInterpreterKey)) : nullptr;
}

Runtime* Runtime::current() { return g_runtime; }

Runtime* Runtime::start(apr_pool_t* pool, server_rec* s, RuntimeOptions options)
{
    if (g_runtime) return g_runtime;
    PyConfig config;
    PyStatus st = configure(&config, options, pool);
    if (!PyStatus_Exception(st)) st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st)) {
        log_fmt(LogTarget::of(s), APLOG_CRIT, "WSGIS0002",
                "Python could not be initialised (%s%s%s); check WSGIPythonHome (now %s)",
                st.func ? st.func : "", st.func ? ": " : "", st.err_msg ? st.err_msg : "?",
                options.python_home ? options.python_home : "not set");
        return nullptr;
    }
    // Py_Initialize left this thread holding the GIL in the main
    // interpreter's first thread state: given up when this scope ends.
    AdoptGil gil;
    PyThreadState* first = PyThreadState_Get();

    for (PyTypeObject* t : options.types) {
        if (PyType_Ready(t) < 0) {
            log_fmt(LogTarget::of(s), APLOG_CRIT, "WSGIS0002", "Python types of mod_wsgiscript could not be made ready");
            PyErr_Clear();
            return nullptr;
        }
    }
    auto rt = std::unique_ptr<Runtime>(new Runtime);
    rt->main_server_ = s;
    rt->options_ = std::move(options);
    auto main = std::make_unique<Interpreter>("", PyInterpreterState_Main(), true, 0);
    slot(0) = first;
    rt->main_ = main.get();
    rt->by_name_.emplace("", main.get());
    rt->interpreters_.push_back(std::move(main));
    // Like mod_wsgi: threading learns its main thread now, on the thread that
    // will finalise Python, not on whichever request thread imports it first
    // (which made Py_FinalizeEx wait for that thread at child exit).
    if (!PyRef::steal(PyImport_ImportModule("threading"))) PyErr_Clear();
    g_runtime = rt.get();
    if (!rt->init_interpreter(rt->main_)) {
        g_runtime = nullptr;
        g_abandoned = rt.release();  // holds Python objects; Python stays up, unused
        return nullptr;  // logged; requests answer 500 with WSGIS0004
    }
    log_fmt(LogTarget::of(s), APLOG_INFO, "WSGIS0003",
            "Python %s initialised in process %" APR_PID_T_FMT " (multithread %d, multiprocess %d)", PY_VERSION,
            getpid(), rt->multithread(), rt->multiprocess());
    if (rt->options_.switch_interval > 0) set_switch_interval(rt->options_.switch_interval, s);
    apr_pool_cleanup_register(pool, rt.get(), shutdown, apr_pool_cleanup_null);
    return rt.release();
}

Interpreter* Runtime::interpreter(const std::string& name)
{
    PythonActivity active;
    std::lock_guard lock(mutex_);
    if (auto it = by_name_.find(name); it != by_name_.end()) {
        if (!it->second)
            log_fmt(LogTarget::of(main_server_), APLOG_ERR, "WSGIS0503",
                    "interpreter for application group '%s' failed to set up earlier in this process; see "
                    "the first WSGIS0503 message",
                    name.c_str());
        return it->second;
    }

    // Creating: the GIL is taken with mutex_ held. Nobody waits for mutex_
    // while holding the GIL (this function is called without it).
    std::unique_ptr<Interpreter> in;
    bool ready = false;
    {
        ThreadStateScope gil(main_->thread_state());
        PyThreadState* ts = Py_NewInterpreter();  // now current
        if (!ts) {
            log_fmt(LogTarget::of(main_server_), APLOG_ERR, "WSGIS0501",
                    "Python could not create the sub-interpreter for application group '%s'", name.c_str());
            return nullptr;
        }
        in = std::make_unique<Interpreter>(name, ts->interp, false, static_cast<unsigned>(interpreters_.size()));
        slot(in->index_) = ts;
        ready = init_interpreter(in.get());
    }
    Interpreter* raw = ready ? in.get() : nullptr;
    // A failed one is remembered: every request for it answers 500 (logged)
    // rather than making a new interpreter each time.
    by_name_.emplace(name, raw);
    interpreters_.push_back(std::move(in));
    if (raw)
        log_fmt(LogTarget::of(main_server_), APLOG_INFO, "WSGIS0502",
                "created sub-interpreter for application group '%s'", name.c_str());
    return raw;
}

bool Runtime::init_interpreter(Interpreter* in)
{
    PyObject* dict = PyInterpreterState_GetDict(in->state());  // borrowed
    PyRef capsule = PyRef::steal(PyCapsule_New(in, kInterpreterKey, nullptr));
    bool ok = dict && capsule && PyDict_SetItemString(dict, kInterpreterKey, capsule.get()) == 0 &&
              install_private_module(options_.multithread, options_.private_functions) &&
              install_package_finder() && add_site_directories(options_.python_path);
    for (size_t i = 0; ok && i < options_.setup.size(); ++i) ok = options_.setup[i](in);
    if (!ok)
        log_fmt(LogTarget::of(main_server_), APLOG_ERR, "WSGIS0503", "setting up interpreter '%s' failed: %s",
                in->name().c_str(), describe_python_error().c_str());
    return ok;
}

bool Runtime::finish_interpreter(Interpreter* in, apr_time_t deadline)
{
    InterpreterScope scope(in);
    apr_time_t left = std::max<apr_time_t>(0, deadline - apr_time_now());
    long running = wait_for_app_threads(in, main_server_, static_cast<double>(left) / APR_USEC_PER_SEC);
    run_atexit(in, main_server_);
    return running == 0;
}

apr_status_t Runtime::shutdown(void* self)
{
    auto* rt = static_cast<Runtime*>(self);
    server_entry(rt->main_server_, "at child exit", [rt] {
        WSGIS_FAULT("shutdown");
        if (rt->stop())
            delete rt;
        else
            g_abandoned = rt;
    });
    return APR_SUCCESS;
}

bool Runtime::stop()
{
    g_runtime = nullptr;
    if (!options_.destroy_interpreters) {
        // WSGIDestroyInterpreter Off (mod_wsgi's meaning): nothing of
        // Python's shutdown runs; the process exit ends it all.
        log_fmt(LogTarget::of(main_server_), APLOG_INFO, "WSGIS0904",
                "process %" APR_PID_T_FMT " exits without finalising Python (WSGIDestroyInterpreter Off): atexit "
                "callbacks do not run",
                getpid());
        return false;
    }
    if (PythonActivity::on_this_thread()) {
        // The process's exit runs inside a signal handler (prefork's SIGTERM)
        // that interrupted this thread's own Python work: taking the GIL
        // would wait for ourselves. The process ends without finalising Python.
        log_fmt(LogTarget::of(main_server_), APLOG_INFO, "WSGIS0508",
                "child %" APR_PID_T_FMT " stopped by a signal while serving a request: Python is not "
                "finalised (atexit callbacks do not run)",
                getpid());
        return false;
    }
    // Threads, then atexit callbacks: sub-interpreters first, main last,
    // all within one wait.
    apr_time_t deadline = apr_time_now() + kThreadWait;
    bool all_quiet = true;
    std::vector<bool> quiet(interpreters_.size(), false);
    for (size_t i = interpreters_.size(); i-- > 0;) {
        quiet[i] = finish_interpreter(interpreters_[i].get(), deadline);
        all_quiet = all_quiet && quiet[i];
    }

    // Tear down what is quiet. With application threads still running in an
    // interpreter, tearing it down could crash them: the process exit ends them.
    ThreadStateScope gil(main_->thread_state());
    for (size_t i = interpreters_.size(); i-- > 1;) {
        if (!quiet[i]) continue;
        Interpreter* in = interpreters_[i].get();
        PyThreadState* ts = in->thread_state();
        SwapScope current(ts);
        in->drop_states();
        drop_other_thread_states(in, ts);
        Py_EndInterpreter(ts);  // leaves no thread state current; SwapScope puts main's back
    }
    main_->drop_states();
    if (!all_quiet) return false;
    int rc = Py_FinalizeEx();
    gil.finalized();
    if (rc < 0)
        log_fmt(LogTarget::of(main_server_), APLOG_WARNING, "WSGIS0506",
                "Python reported errors while finalising (buffered output lost)");
    return true;
}

}  // namespace wsgi
