// pickle_diagnostics.h - WSGIPickleDiagnostics: the native half of the
// Python package wsgiscript.pickle_diagnostics (docs/pickle.md). An
// optional feature: with the directive Off in every server, nothing of it
// is installed into any interpreter and no hook of it runs.
//
// The native half: `_wsgiscript.guard(func, on_error)`, a callable that
// calls func and, when it raises an Exception, shows the exception to
// on_error(exc, args, kwargs) before re-raising it unchanged (one extra
// vectorcall on the success path); `_wsgiscript.configured_scripts()`, the
// scripts this server can load (module name -> path), so an entry can name
// the file of a module that is not loaded here; the Python package
// installed into an interpreter before it loads a script.
#pragma once

#include "runtime/runtime.h"

#include <string>

namespace wsgi::pickle_diagnostics {

// Before Python starts: the guard type and the functions (always, they
// cost nothing); the script-loaded hook only when `enabled` (some server
// has WSGIPickleDiagnostics On).
void add_to(RuntimeOptions& options, bool enabled);

// A script the configuration names (process start, no GIL needed).
void note_configured(const std::string& module_name, const std::string& path);

// The package installed into `in` (once; GIL held, `in` current). false,
// with WSGIS0302 logged against s, when that failed.
bool ensure_installed(Interpreter* in, server_rec* s);

}  // namespace wsgi::pickle_diagnostics
