// wsgi_interp.h - Python interpreters of an Apache child and the thread
// states that enter them.
//
// Lifetime: Python is initialised in child_init (never in the Apache parent,
// so restarts of the parent carry no Python state) and the Runtime lives in
// the child pool (pchild). Its cleanup waits (5 s at most in all) for threads the
// applications started, runs each interpreter's atexit callbacks, then ends
// the sub-interpreters and finalises Python; an interpreter whose threads
// still run is left to the process exit (logged). One Interpreter per application group, created on first use.
//
// GIL rules: Runtime::interpreter() must be called WITHOUT the GIL.
// InterpreterScope acquires the GIL with this thread's own thread state of
// that interpreter (created once per thread, never per request) and releases
// it on destruction. GilRelease gives it up around blocking calls.
#pragma once

#include "py_ref.h"
#include "string_map.h"
#include "wsgi_environ_cache.h"
#include "wsgi_httpd.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wsgi {

struct ServerConfig;

// One loaded script in one interpreter (touched only with the GIL held).
// One successful load of a script: what wsgiscript.loaded_scripts() shows.
struct LoadEvent {
    long generation;
    apr_time_t mtime;  // the file's mtime that load saw
    apr_time_t at;     // when it finished
};

struct ScriptEntry {
    std::string path;           // absolute path of the script file
    PyRef module_name;          // str "_mod_wsgi_<md5>"
    PyRef module;               // the current module object, empty after a failed load
    apr_time_t mtime = 0;       // file mtime the module was loaded from
    apr_time_t loaded_at = 0;   // when that load began reading the file
    long generation = 0;        // 1 on first load, +1 per reload
    // The latest loads, oldest first (at most kHistory: a script reloaded
    // all day keeps a bounded record).
    std::vector<LoadEvent> history;
    apr_time_t first_loaded = 0, last_reloaded = 0;  // 0: never
    static constexpr size_t kHistory = 64;
};

// Strings an interpreter reuses on every request (made once, under its GIL).
struct InternedKeys {
    PyRef wsgi_version, wsgi_url_scheme, wsgi_input, wsgi_errors, wsgi_multithread,
        wsgi_multiprocess, wsgi_run_once, wsgi_input_terminated, wsgi_file_wrapper,
        mod_wsgi_application_group, mod_wsgi_callable_object, mod_wsgi_process_group,
        mod_wsgi_script_reloading, mod_wsgi_request_handler, mod_wsgi_version,
        script_file, version_tuple, http, https, empty, one, zero, close,
        fileno, read, tell, sys_modules_attr, mod_wsgi_version_tuple, wsgi_script_handler,
        path_info, https_var, http_authorization;
};

class Interpreter {
public:
    Interpreter(std::string name, PyInterpreterState* state, bool is_main, unsigned index)
        : name_(std::move(name)), state_(state), is_main_(is_main), index_(index) {}
    Interpreter(const Interpreter&) = delete;
    Interpreter& operator=(const Interpreter&) = delete;

    const std::string& name() const { return name_; }
    PyInterpreterState* state() const { return state_; }
    bool is_main() const { return is_main_; }
    unsigned index() const { return index_; }

    // This thread's thread state for this interpreter, made on first use.
    PyThreadState* thread_state();
    // The Interpreter whose Python is running on this thread (GIL held),
    // found through the interpreter's own state dict: no lock is taken.
    static Interpreter* current();

    std::mutex load_mutex;  // serialises script loading; taken WITHOUT the GIL
    // The rest is only touched with the GIL held and this interpreter current.
    StringMap<ScriptEntry> scripts;  // by absolute path
    InternedKeys keys;
    // Environ keys and values seen so far, so a request makes few new strings.
    EnvironCache environ_cache;
    bool pickle_diagnostics_installed = false;

private:
    std::string name_;
    PyInterpreterState* state_;
    bool is_main_;
    unsigned index_;
};

// Python of one Apache child.
class Runtime {
public:
    // Initialise Python for this child (GIL released on return). nullptr and
    // a logged reason on failure.
    static Runtime* start(apr_pool_t* pchild, server_rec* s);
    static Runtime* current();  // nullptr before start() or after shutdown

    // The interpreter for an application group name ("" = main), created on
    // first use. Call without the GIL. nullptr on failure (logged).
    Interpreter* interpreter(const std::string& name, server_rec* s);

    server_rec* main_server() const { return main_server_; }
    // Scripts named by the configuration or loaded so far: module name -> path.
    std::map<std::string, std::string> known_scripts();
    void note_script(const std::string& module_name, const std::string& path);

    bool multithread() const { return multithread_; }
    bool multiprocess() const { return multiprocess_; }

private:
    Runtime() = default;
    static apr_status_t shutdown(void* self);  // the pchild cleanup
    // End the interpreters and Python; false when they had to be left to
    // the process exit (this object must then stay alive).
    bool stop();
    bool init_interpreter(Interpreter* in);  // GIL held, `in` current
    // Wait for app threads until deadline, run atexit; true when no app thread still runs.
    bool finish_interpreter(Interpreter* in, apr_time_t deadline);

public:
    // The whole wait for application threads at child exit, over all interpreters.
    static constexpr apr_time_t kThreadWait = apr_time_from_sec(5);

private:

    server_rec* main_server_ = nullptr;
    Interpreter* main_ = nullptr;
    // Guards by_name_ and interpreters_. Taken WITHOUT the GIL, and held while
    // creating an interpreter (which takes the GIL), so never lock it with
    // the GIL held.
    std::mutex mutex_;
    std::unordered_map<std::string, Interpreter*> by_name_;
    std::vector<std::unique_ptr<Interpreter>> interpreters_;
    // Guards known_ only; may be taken with the GIL held (never takes it).
    std::mutex known_mutex_;
    std::map<std::string, std::string> known_;
    bool multithread_ = false, multiprocess_ = true;
};

// Marks this thread as inside Python work of ours for the scope (nested
// scopes count). A signal handler that runs the child's exit (prefork's
// SIGTERM) checks it: Python cannot be finalised from inside a frame that
// is running, or with the GIL held by the very code the signal interrupted.
class PythonActivity {
public:
    PythonActivity();
    ~PythonActivity();
    PythonActivity(const PythonActivity&) = delete;
    PythonActivity& operator=(const PythonActivity&) = delete;
    static bool on_this_thread();
};

// Holds the GIL with this thread's state of `in` for the scope.
class InterpreterScope {
public:
    explicit InterpreterScope(Interpreter* in) : ts_(in->thread_state()) { PyEval_RestoreThread(ts_); }
    ~InterpreterScope() { PyEval_SaveThread(); }
    InterpreterScope(const InterpreterScope&) = delete;
    InterpreterScope& operator=(const InterpreterScope&) = delete;

private:
    PythonActivity active_;
    PyThreadState* ts_;
};

// Gives the GIL up for the scope (around blocking Apache or network calls).
class GilRelease {
public:
    GilRelease() : ts_(PyEval_SaveThread()) {}
    ~GilRelease() { PyEval_RestoreThread(ts_); }
    GilRelease(const GilRelease&) = delete;
    GilRelease& operator=(const GilRelease&) = delete;

private:
    PyThreadState* ts_;
};

// The request this thread is serving, for log lines written from Python
// (print(), wsgi.errors, wsgiscript logging) while it runs.
class RequestScope {
public:
    explicit RequestScope(request_rec* r);
    ~RequestScope();  // logs what process-wide streams left pending for this request
    RequestScope(const RequestScope&) = delete;
    RequestScope& operator=(const RequestScope&) = delete;
    static request_rec* current();
    // The unfinished line a process-wide stream (sys.stdout, sys.stderr)
    // holds for this thread's request, made on first use; nullptr outside
    // a request. Kept per request so one request's text is never logged
    // under another's client.
    static std::string* partial_line(const void* stream, int level);

private:
    struct Partial {
        const void* stream;
        int level;
        std::string text;
    };
    request_rec* r_;
    RequestScope* prev_;
    std::vector<Partial> partial_;
};

}  // namespace wsgi
