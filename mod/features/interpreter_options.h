// interpreter_options.h - what each interpreter gets from the
// interpreter-level settings (core/python_options.h): WSGIRestrictStdin,
// WSGIRestrictStdout, WSGIRestrictSignal and the WSGIPythonPath of the
// <WSGIInterpreterOptions> blocks that select it, resolved by its process
// group and application group when it is made.
//
//  - WSGIRestrictStdin On: sys.stdin is an object any use of which raises
//    OSError("sys.stdin access restricted by mod_wsgi"), as mod_wsgi's.
//  - WSGIRestrictStdout On: the same for sys.stdout (print() raises).
//    Off (the default): sys.stdout stays the error-log stream the
//    pipeline set up.
//  - WSGIRestrictSignal On (the default): signal.signal() (through the C
//    module _signal's, which it calls) is replaced by a function that installs nothing, logs WSGIS0903 with the caller's
//    stack and returns the handler it was given (mod_wsgi's behaviour), so
//    an application cannot take SIGTERM, SIGHUP... from Apache. A process
//    the application forked (os.fork(), multiprocessing) gets the real
//    signal.signal().
//  - block WSGIPythonPath: site.addsitedir() for each layer, least
//    specific first, each put in front of sys.path.
//
// Runs at every interpreter's set-up after the pipeline's (GIL held, the
// interpreter current). The settings are read, never written, and live
// as long as the configuration pool, which outlives every interpreter.
#pragma once

#include "core/python_options.h"
#include "runtime/runtime.h"

#include <string>

namespace wsgi::interpreter_options {

// The settings of the process (PyConfig's: WSGIDontWriteBytecode,
// WSGIPythonOptimize, WSGIPythonWarnings, WSGIPythonHashSeed; the switch
// interval; WSGIDestroyInterpreter) into options, and the set-up of each
// interpreter. process_group: "" in the Apache children, the group's name
// in a daemon process; switch_interval: the daemon's own switch-interval=
// (> 0 wins over WSGISwitchInterval and the blocks).
void add_to(RuntimeOptions& options, const PythonSettings& settings, std::string process_group,
            double switch_interval = 0);

}  // namespace wsgi::interpreter_options
