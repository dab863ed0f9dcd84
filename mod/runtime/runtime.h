// runtime.h - Python in one process (an Apache child, later a daemon
// process): start-up, one interpreter per application group, this thread's
// thread state in each, the state the layers above keep per interpreter,
// and shutdown. The ground floor of the module: it includes nothing above
// base/ (see docs/architecture.md).
//
// Lifetime: Runtime::start() runs once per process (never in the Apache
// parent, so restarts carry no Python state); the Runtime lives in the
// pool given to start() and its cleanup waits (5 s at most in all) for the
// threads applications started, runs each interpreter's atexit callbacks,
// ends the sub-interpreters and finalises Python. An interpreter whose
// threads still run is left to the process exit (logged).
//
// GIL: Runtime::interpreter() is called WITHOUT the GIL; everything that
// touches Python objects holds it with the interpreter current
// (InterpreterScope). No PyObject* is kept in static storage: per-
// interpreter objects live in InterpreterState objects, dropped before
// their interpreter ends.
#pragma once

#include "base/log.h"
#include "base/py_ref.h"
#include "runtime/gil.h"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace wsgi {

// State a layer above keeps for one interpreter (the environ cache, the
// script table, pickle diagnostics). Made on first use and destroyed
// before the interpreter ends, both with the GIL held and that interpreter
// current, so members may own Python objects.
class InterpreterState {
public:
    virtual ~InterpreterState() = default;
};

class Interpreter {
public:
    Interpreter(std::string name, PyInterpreterState* state, bool is_main, unsigned index)
        : name_(std::move(name)), state_(state), is_main_(is_main), index_(index) {}
    Interpreter(const Interpreter&) = delete;
    Interpreter& operator=(const Interpreter&) = delete;

    const std::string& name() const { return name_; }  // "" for the main interpreter (%{GLOBAL})
    PyInterpreterState* state() const { return state_; }
    bool is_main() const { return is_main_; }

    // This thread's thread state for this interpreter, made on first use.
    // Call without the GIL.
    PyThreadState* thread_state();

    // The Interpreter whose Python runs on this thread (GIL held), found
    // through the interpreter's own state dict: no lock is taken.
    static Interpreter* current();

    // This interpreter's T, made on first use. GIL held, this interpreter current.
    template <class T>
    T& state()
    {
        static const unsigned id = next_state_id();
        if (id >= states_.size()) states_.resize(id + 1);
        if (!states_[id]) states_[id] = std::make_unique<T>();
        return static_cast<T&>(*states_[id]);
    }

private:
    friend class Runtime;
    static unsigned next_state_id();
    void drop_states() { states_.clear(); }  // GIL held, this interpreter current

    std::string name_;
    PyInterpreterState* state_;
    bool is_main_;
    unsigned index_;
    std::vector<std::unique_ptr<InterpreterState>> states_;
};

// Holds the GIL with this thread's state of `in` for the scope.
class InterpreterScope {
public:
    explicit InterpreterScope(Interpreter* in) : scope_(in->thread_state()) {}

private:
    ThreadStateScope scope_;
};

// What a process's Python is started with: the configuration's part
// (read by the glue) and what the layers above add to every interpreter.
struct RuntimeOptions {
    const char* python_home = nullptr;     // WSGIPythonHome: an installation or a virtual environment
    std::vector<std::string> python_path;  // WSGIPythonPath: site.addsitedir() in every interpreter
    bool multithread = false, multiprocess = true;
    bool run_once = false;  // wsgi.run_once: a daemon group of threads=1 maximum-requests=1 (as mod_wsgi)
    // Fixed for the process when Python starts (PyConfig), the same in
    // every interpreter: WSGIDontWriteBytecode, WSGIPythonOptimize,
    // WSGIPythonWarnings, WSGIPythonHashSeed.
    bool write_bytecode = true;
    int optimization_level = 0;
    std::vector<std::string> warn_options;
    bool use_hash_seed = false;            // false: random
    unsigned long hash_seed = 0;
    double switch_interval = 0;            // > 0: sys.setswitchinterval() at start
    bool destroy_interpreters = true;      // WSGIDestroyInterpreter Off: false
    // Made ready once, in the main interpreter, before any interpreter is set up.
    std::vector<PyTypeObject*> types;
    // Functions of the builtin module _wsgiscript (tables ending with a
    // {nullptr} entry); every layer adds its own.
    std::vector<PyMethodDef*> private_functions;
    // Run, in order, at the set-up of every interpreter (GIL held, it
    // current); false with a Python error set fails that interpreter.
    std::vector<std::function<bool(Interpreter*)>> setup;
};

// site.addsitedir() for each directory, then what that added to sys.path
// (the directories and the entries of their .pth files) moved to its front,
// in order: how WSGIPythonPath (and a block's) takes effect. GIL held;
// false with a Python error set.
bool add_site_directories(const std::vector<std::string>& dirs);

class Runtime {
public:
    // Initialise Python for this process (GIL released on return). nullptr
    // and a logged reason on failure. `pool` owns the Runtime.
    static Runtime* start(apr_pool_t* pool, server_rec* s, RuntimeOptions options);
    static Runtime* current();  // nullptr before start() or after shutdown

    // The interpreter for an application group name ("" = main), created
    // on first use. Call without the GIL. nullptr on failure (logged).
    Interpreter* interpreter(const std::string& name);

    server_rec* main_server() const { return main_server_; }
    bool multithread() const { return options_.multithread; }
    bool multiprocess() const { return options_.multiprocess; }
    bool run_once() const { return options_.run_once; }

    // The whole wait for application threads at exit, over all interpreters.
    static constexpr apr_time_t kThreadWait = apr_time_from_sec(5);

private:
    Runtime() = default;
    static apr_status_t shutdown(void* self);  // the pool cleanup
    // End the interpreters and Python; false when they had to be left to
    // the process exit (this object must then stay alive).
    bool stop();
    bool init_interpreter(Interpreter* in);  // GIL held, `in` current
    // Wait for app threads until deadline, run atexit; true when none still runs.
    bool finish_interpreter(Interpreter* in, apr_time_t deadline);

    server_rec* main_server_ = nullptr;
    RuntimeOptions options_;
    Interpreter* main_ = nullptr;
    // Guards by_name_ and interpreters_. Taken WITHOUT the GIL, and held while
    // creating an interpreter (which takes the GIL), so never lock it with
    // the GIL held.
    std::mutex mutex_;
    std::unordered_map<std::string, Interpreter*> by_name_;
    std::vector<std::unique_ptr<Interpreter>> interpreters_;
};

}  // namespace wsgi
