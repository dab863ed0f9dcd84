// wsgi_script.h - loading a WSGI script file as module _mod_wsgi_<md5> of
// one interpreter, and reloading it when its mtime changes.
//
// Call with the GIL held and `in` current. Loading happens at most once at a
// time per interpreter (Interpreter::load_mutex, taken with the GIL
// released), so 40 simultaneous first requests execute the file once.
#pragma once

#include "py_ref.h"
#include "wsgi_logging.h"

namespace wsgi {

class Interpreter;

struct ScriptLoad {
    const char* path = nullptr;   // absolute path of the script file
    apr_time_t mtime = 0;         // the file's mtime as Apache saw it (0: stat it)
    apr_time_t seen_at = 0;       // when (or before) that mtime was read: the request's start
    bool reloading = true;        // WSGIScriptReloading
    bool case_sensitive = true;   // WSGICaseSensitivity
    bool pickle_diagnostics = false;
    LogTarget log;                // request or server the messages belong to
};

// The script's module (new reference), loading or reloading it as needed.
// Empty on failure: the reason is logged and *http_status says what to answer.
PyRef load_script(Interpreter* in, const ScriptLoad& load, int* http_status);

}  // namespace wsgi
