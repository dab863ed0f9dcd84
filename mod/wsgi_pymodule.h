// wsgi_pymodule.h - what every interpreter gets from the module: the
// builtin modules `_wsgiscript` and `mod_wsgi`, the embedded `wsgiscript`
// package, sys.stdout/sys.stderr to the error log, WSGIPythonPath.
// GIL held for all.
#pragma once

#include "wsgi_httpd.h"

#include <string>

namespace wsgi {

class Interpreter;

// Once, in the main interpreter, before any object of ours is made.
bool ready_types();

// Set up a new interpreter (it is current). false with a Python error set.
bool init_interpreter_modules(Interpreter* in, server_rec* s);

// Run the interpreter's atexit callbacks and flush its stdout/stderr.
void run_atexit(Interpreter* in, server_rec* s);

// wsgiscript.pickle_diagnostics.install() in the current interpreter.
bool install_pickle_diagnostics(Interpreter* in, server_rec* s);

}  // namespace wsgi
