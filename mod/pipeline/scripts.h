// scripts.h - WSGI script files loaded as modules _mod_wsgi_<md5> of an
// interpreter, reloaded when their mtime changes; the table of what each
// interpreter has loaded (the one source of truth, also for Python:
// wsgiscript.loaded_scripts()).
//
// Call with the GIL held and the interpreter current. Loading happens at
// most once at a time per interpreter (ScriptTable::load_mutex, taken with
// the GIL given up), so 40 simultaneous first requests execute the file once.
#pragma once

#include "base/log.h"
#include "base/py_ref.h"
#include "core/string_map.h"
#include "runtime/runtime.h"

#include <mutex>
#include <string>
#include <vector>

namespace wsgi {

// One successful load of a script.
struct LoadEvent {
    long generation;
    apr_time_t mtime;  // the file's mtime that load saw
    apr_time_t at;     // when it finished
};

// One script in one interpreter.
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

// What one interpreter has loaded (an InterpreterState: lives and dies with it).
struct ScriptTable : InterpreterState {
    // Serialises loading; taken WITHOUT the GIL. Recursive: a script whose
    // top-level code imports another script module by name (unpickling
    // with WSGIPickleResolve On) loads that one on the same thread.
    std::recursive_mutex load_mutex;
    StringMap<ScriptEntry> entries;   // by absolute path (lower-cased under WSGICaseSensitivity Off)
};

struct ScriptLoad {
    const char* path = nullptr;   // absolute path of the script file
    apr_time_t mtime = 0;         // the file's mtime as the server saw it (0: stat it)
    apr_time_t seen_at = 0;       // when (or before) that mtime was read: the request's start
    bool reloading = true;        // reload when the mtime changed (WSGIScriptReloading, embedded mode)
    bool ask_script = false;      // WSGIScriptReloading On: a module without __mtime__, or whose
                                  // reload_required(path) returns true, is reloaded (as mod_wsgi)
    bool case_sensitive = true;   // WSGICaseSensitivity
    bool stat_on_load = false;    // a (re)load stores the file's own mtime, not load.mtime (daemon
                                  // mode: the Apache child's stat may predate a change)
    LogTarget log;                // request or server the messages belong to
};

// Told of every successful load or reload (GIL held, the interpreter
// current); registered once per process before Python starts.
using ScriptLoadedHook = void (*)(Interpreter* in, const ScriptEntry& e, const LogTarget& log);
void on_script_loaded(ScriptLoadedHook hook);

// True when `in` has the script loaded from another mtime than load.mtime
// and the file itself is no longer what was loaded (a request whose mtime
// was read before a change this process already loaded is not a change),
// or (load.ask_script) the script asks for a reload by mod_wsgi's rules
// (daemon mode then restarts the process instead of reloading in place).
bool script_changed(Interpreter* in, const ScriptLoad& load);

// The script's module (new reference), loading or reloading it as needed.
// Empty on failure: the reason is logged and *http_status says what to answer.
PyRef load_script(Interpreter* in, const ScriptLoad& load, int* http_status);

}  // namespace wsgi
