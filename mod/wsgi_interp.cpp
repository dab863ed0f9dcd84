// wsgi_interp.cpp - Python runtime of an Apache child: initialisation,
// interpreters per application group, per-thread thread states, shutdown.
#include "wsgi_interp.h"

#include "fault.h"
#include "wsgi_boundary.h"
#include "wsgi_config.h"
#include "wsgi_logging.h"
#include "wsgi_pymodule.h"

#include <apr_file_info.h>

namespace wsgi {

namespace {

// This thread's thread state per interpreter index. The thread states
// themselves belong to their interpreters (deleted when those end); the
// vector goes with the thread.
thread_local std::vector<PyThreadState*> t_slots;
thread_local RequestScope* t_scope = nullptr;
thread_local int t_python_activity = 0;

Runtime* g_runtime = nullptr;  // the child's runtime (no Python objects)
// A runtime whose interpreters could not be ended at child exit (application
// threads still running, or the exit ran in a signal handler): kept, on
// purpose, until the process ends (volatile: written only, the store must stay).
Runtime* volatile g_abandoned = nullptr;

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

// Fill a PyConfig for this server's WSGIPythonHome (a plain installation or a
// virtual environment, recognised by its pyvenv.cfg).
PyStatus configure(PyConfig* config, const ServerConfig* sc, apr_pool_t* p)
{
    PyConfig_InitPythonConfig(config);
    config->install_signal_handlers = 0;
    config->parse_argv = 0;
    config->user_site_directory = 0;
    config->configure_c_stdio = 0;
    config->buffered_stdio = 0;
    PyStatus st;
    wchar_t* argv[] = {const_cast<wchar_t*>(L"mod_wsgi")};
    st = PyConfig_SetArgv(config, 1, argv);
    if (PyStatus_Exception(st)) return st;
    const char* program = WSGISCRIPT_PYTHON_EXECUTABLE;
    if (sc->python_home) {
        const char* cfg = apr_pstrcat(p, sc->python_home, "/pyvenv.cfg", nullptr);
        if (file_exists(cfg, p)) {
            program = apr_pstrcat(p, sc->python_home, "/bin/python3", nullptr);
            if (!file_exists(program, p))
                program = apr_pstrcat(p, sc->python_home, "/bin/python", nullptr);
        } else {
            st = PyConfig_SetBytesString(config, &config->home, sc->python_home);
            if (PyStatus_Exception(st)) return st;
        }
    }
    st = PyConfig_SetBytesString(config, &config->program_name, program);
    if (PyStatus_Exception(st)) return st;
    return PyStatus_Ok();
}

}  // namespace

// This thread's state of the main interpreter: the simplified GIL API's own
// state for the thread, kept for good (its count never returns to zero), so
// C extensions using PyGILState_Ensure() find it instead of making another.
// Call without the GIL.
static PyThreadState* main_thread_state()
{
    PyThreadState*& ts = slot(0);
    if (!ts) {
        PyGILState_Ensure();
        ts = PyThreadState_Get();
        PyEval_SaveThread();
    }
    return ts;
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

PythonActivity::PythonActivity() { ++t_python_activity; }
PythonActivity::~PythonActivity() { --t_python_activity; }
bool PythonActivity::on_this_thread() { return t_python_activity > 0; }

RequestScope::RequestScope(request_rec* r) : r_(r), prev_(t_scope) { t_scope = this; }

RequestScope::~RequestScope()
{
    t_scope = prev_;
    for (const Partial& p : partial_)
        if (!p.text.empty()) log_lines(LogTarget::of(r_), p.level, "WSGIS0201", p.text);
}

request_rec* RequestScope::current() { return t_scope ? t_scope->r_ : nullptr; }

std::string* RequestScope::partial_line(const void* stream, int level)
{
    RequestScope* scope = t_scope;
    if (!scope) return nullptr;
    for (Partial& p : scope->partial_)
        if (p.stream == stream) return &p.text;
    scope->partial_.push_back(Partial{stream, level, {}});
    return &scope->partial_.back().text;
}

Runtime* Runtime::current() { return g_runtime; }

Runtime* Runtime::start(apr_pool_t* pchild, server_rec* s)
{
    if (g_runtime) return g_runtime;
    const ServerConfig* sc = server_config(s);
    PyConfig config;
    PyStatus st = configure(&config, sc, pchild);
    if (!PyStatus_Exception(st)) st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st)) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     WSGIS_LOGNO(0002) "Python could not be initialised (%s%s%s); "
                                       "check WSGIPythonHome (now %s)",
                     st.func ? st.func : "", st.func ? ": " : "", st.err_msg ? st.err_msg : "?",
                     sc->python_home ? sc->python_home : "not set");
        return nullptr;
    }

    auto* rt = new Runtime;
    rt->main_server_ = s;
    int threads = 1, daemons = 1;
    ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    ap_mpm_query(AP_MPMQ_MAX_DAEMONS, &daemons);
    rt->multithread_ = threads > 1;
    rt->multiprocess_ = daemons > 1;

    if (!ready_types()) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     WSGIS_LOGNO(0002) "Python types of mod_wsgiscript could not be made ready");
        PyErr_Clear();
        PyEval_SaveThread();
        delete rt;
        return nullptr;
    }
    auto main = std::make_unique<Interpreter>("", PyInterpreterState_Main(), true, 0);
    slot(0) = PyThreadState_Get();  // Py_Initialize's state for this thread
    rt->main_ = main.get();
    rt->by_name_.emplace("", main.get());
    rt->interpreters_.push_back(std::move(main));
    g_runtime = rt;  // before init: the package finder asks for known scripts
    // Like mod_wsgi: threading learns its main thread now, on the thread that
    // will finalise Python, not on whichever request thread imports it first
    // (which made Py_FinalizeEx wait for that thread at child exit).
    PyRef threading = PyRef::steal(PyImport_ImportModule("threading"));
    if (!threading) PyErr_Clear();
    threading.reset();
    if (!rt->init_interpreter(rt->main_)) {
        PyEval_SaveThread();
        g_runtime = nullptr;
        return nullptr;  // logged; requests answer 500 with WSGIS0004
    }
    PyEval_SaveThread();

    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,
                 WSGIS_LOGNO(0003) "Python %s initialised in child %" APR_PID_T_FMT
                                   " (multithread %d, multiprocess %d)",
                 PY_VERSION, getpid(), rt->multithread_, rt->multiprocess_);
    apr_pool_cleanup_register(pchild, rt, shutdown, apr_pool_cleanup_null);
    return rt;
}

Interpreter* Runtime::interpreter(const std::string& name, server_rec* s)
{
    PythonActivity active;
    std::lock_guard lock(mutex_);
    if (auto it = by_name_.find(name); it != by_name_.end()) {
        if (!it->second)
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s,
                         WSGIS_LOGNO(0503) "interpreter for application group '%s' failed to set up earlier "
                                           "in this child; see the first WSGIS0503 message",
                         name.c_str());
        return it->second;
    }

    // Creating: the GIL is taken with mutex_ held. Nobody waits for mutex_
    // while holding the GIL (this function is called without it).
    PyEval_RestoreThread(main_->thread_state());
    PyThreadState* ts = Py_NewInterpreter();
    if (!ts) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s,
                     WSGIS_LOGNO(0501) "Python could not create the sub-interpreter for "
                                       "application group '%s'",
                     name.c_str());
        PyEval_SaveThread();
        return nullptr;
    }
    auto in = std::make_unique<Interpreter>(name, ts->interp, false,
                                            static_cast<unsigned>(interpreters_.size()));
    slot(in->index()) = ts;
    bool ready = init_interpreter(in.get());
    PyEval_SaveThread();
    if (!ready) {
        // Remembered as failed: every request for it answers 500 (logged)
        // rather than making a new interpreter each time.
        by_name_.emplace(name, nullptr);
        interpreters_.push_back(std::move(in));
        return nullptr;
    }
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,
                 WSGIS_LOGNO(0502) "created sub-interpreter for application group '%s'",
                 name.c_str());
    Interpreter* raw = in.get();
    by_name_.emplace(name, raw);
    interpreters_.push_back(std::move(in));
    return raw;
}

std::map<std::string, std::string> Runtime::known_scripts()
{
    std::lock_guard lock(known_mutex_);
    return known_;
}

void Runtime::note_script(const std::string& module_name, const std::string& path)
{
    std::lock_guard lock(known_mutex_);
    known_.emplace(module_name, path);
}

namespace {
constexpr const char kInterpreterKey[] = "wsgiscript.interpreter";
}

Interpreter* Interpreter::current()
{
    PyObject* dict = PyInterpreterState_GetDict(PyInterpreterState_Get());  // borrowed
    PyObject* capsule = dict ? PyDict_GetItemString(dict, kInterpreterKey) : nullptr;  // borrowed
    return capsule ? static_cast<Interpreter*>(PyCapsule_GetPointer(capsule, kInterpreterKey)) : nullptr;
}

bool Runtime::init_interpreter(Interpreter* in)
{
    PyObject* dict = PyInterpreterState_GetDict(in->state());  // borrowed
    PyRef capsule = PyRef::steal(PyCapsule_New(in, kInterpreterKey, nullptr));
    bool ok = dict && capsule && PyDict_SetItemString(dict, kInterpreterKey, capsule.get()) == 0 &&
              init_interpreter_modules(in, main_server_);
    if (!ok) {
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, main_server_,
                     WSGIS_LOGNO(0503) "setting up interpreter '%s' failed: %s", in->name().c_str(),
                     describe_python_error().c_str());
    }
    return ok;
}

// Wait (bounded) for the threads the application started; the number still
// running afterwards. GIL held, `in` current.
static long wait_for_app_threads(Interpreter* in, server_rec* s, double timeout)
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
    if (n < 0) {
        log_exception(LogTarget::of(s), APLOG_WARNING, "WSGIS0505",
                      "could not wait for the Python threads of interpreter '" + in->name() + "'");
        return -1;
    }
    if (n > 0)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     WSGIS_LOGNO(0505) "%ld non-daemon Python thread(s) of interpreter '%s' still running "
                                       "when the %.0f s wait for application threads at child exit ended; "
                                       "the process exits without them",
                     n, in->name().c_str(), static_cast<double>(apr_time_sec(Runtime::kThreadWait)));
    else if (daemons > 0)
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, s,
                     WSGIS_LOGNO(0507) "%ld daemon Python thread(s) of interpreter '%s' still running at child "
                                       "exit; the interpreter is left to the process exit",
                     daemons, in->name().c_str());
    return n + daemons;
}

bool Runtime::finish_interpreter(Interpreter* in, apr_time_t deadline)
{
    InterpreterScope scope(in);
    apr_time_t left = std::max<apr_time_t>(0, deadline - apr_time_now());
    long running = wait_for_app_threads(in, main_server_, static_cast<double>(left) / APR_USEC_PER_SEC);
    run_atexit(in, main_server_);
    return running == 0;
}

// Drop every Python object the interpreter's C++ side holds. GIL held, `in` current.
static void forget_objects(Interpreter* in)
{
    in->scripts.clear();
    in->environ_cache.clear();
    in->keys = InternedKeys{};
}

// Destroy the thread states other threads made in `in` (those threads have
// ended: the MPM joined them before the child pool is destroyed).
static void drop_other_thread_states(Interpreter* in, PyThreadState* keep)
{
    std::vector<PyThreadState*> others;
    for (PyThreadState* t = PyInterpreterState_ThreadHead(in->state()); t; t = PyThreadState_Next(t))
        if (t != keep) others.push_back(t);
    for (PyThreadState* t : others) {
        PyThreadState_Clear(t);
        PyThreadState_Delete(t);
    }
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
    Runtime* rt = this;
    g_runtime = nullptr;
    if (PythonActivity::on_this_thread()) {
        // The child's exit runs inside a signal handler (prefork's SIGTERM)
        // that interrupted this thread's own Python work: taking the GIL
        // would wait for ourselves. The process ends without finalising Python.
        ap_log_error(APLOG_MARK, APLOG_INFO, 0, rt->main_server_,
                     WSGIS_LOGNO(0508) "child %" APR_PID_T_FMT " stopped by a signal while serving a request: "
                                       "Python is not finalised (atexit callbacks do not run)",
                     getpid());
        return false;
    }
    // Threads, then atexit callbacks: sub-interpreters first, main last,
    // all within one wait.
    apr_time_t deadline = apr_time_now() + kThreadWait;
    bool all_quiet = true;
    std::vector<bool> quiet(rt->interpreters_.size(), false);
    for (size_t i = rt->interpreters_.size(); i-- > 0;) {
        quiet[i] = rt->finish_interpreter(rt->interpreters_[i].get(), deadline);
        all_quiet = all_quiet && quiet[i];
    }

    // Tear down what is quiet. With application threads still running in an
    // interpreter, tearing it down could crash them: the process exit ends them.
    PyThreadState* main_ts = rt->main_->thread_state();
    PyEval_RestoreThread(main_ts);
    for (size_t i = rt->interpreters_.size(); i-- > 1;) {
        if (!quiet[i]) continue;
        Interpreter* in = rt->interpreters_[i].get();
        PyThreadState* ts = in->thread_state();
        PyThreadState_Swap(ts);
        forget_objects(in);
        drop_other_thread_states(in, ts);
        Py_EndInterpreter(ts);
        PyThreadState_Swap(main_ts);
    }
    forget_objects(rt->main_);
    if (!all_quiet) {
        PyEval_SaveThread();
        return false;
    }
    if (Py_FinalizeEx() < 0)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, rt->main_server_,
                     WSGIS_LOGNO(0506) "Python reported errors while finalising (buffered output lost)");
    return true;
}

}  // namespace wsgi
