// python_config.h - the interpreter-level directives (mod_wsgi's
// WSGIDontWriteBytecode, WSGIPythonWarnings, WSGIPythonOptimize,
// WSGIPythonEggs, WSGIPythonHashSeed, WSGIDestroyInterpreter,
// WSGIRestrictStdin/Stdout/Signal, WSGISwitchInterval,
// WSGIPerInterpreterGIL, WSGIFreeThreading, <WSGIInterpreterOptions>,
// WSGILazyInitialization, WSGIVerboseDebugging, WSGISlowRequests and the
// refused telemetry directives): parse, check, store into the server
// generation's PythonSettings (core/python_options.h).
//
// Memory: the PythonSettings live in pconf (made on first use, deleted by
// a pool cleanup), so every restart starts from the defaults. Read-only
// once the configuration is read.
#pragma once

#include "base/httpd.h"
#include "core/python_options.h"

namespace wsgi {

// This server generation's settings (pconf: the configuration pool).
PythonSettings& python_settings(apr_pool_t* pconf);

// The <WSGIInterpreterOptions> block the directive being read sits in, or
// nullptr at the top level (WSGIPythonPath uses it too).
InterpreterOptionsBlock* active_interpreter_block(cmd_parms* cmd);

// WSGIPythonPath inside a block (config.cpp's handler hands it over).
const char* set_block_python_path(cmd_parms* cmd, InterpreterOptionsBlock* block, const char* arg);

// The command table entries of this file, in config.cpp's table.
const char* cmd_dont_write_bytecode(cmd_parms* cmd, void*, int on);
const char* cmd_python_warnings(cmd_parms* cmd, void*, const char* arg);
const char* cmd_python_optimize(cmd_parms* cmd, void*, const char* arg);
const char* cmd_python_eggs(cmd_parms* cmd, void*, const char* arg);
const char* cmd_python_hash_seed(cmd_parms* cmd, void*, const char* arg);
const char* cmd_destroy_interpreter(cmd_parms* cmd, void*, int on);
const char* cmd_restrict_stdin(cmd_parms* cmd, void*, int on);
const char* cmd_restrict_stdout(cmd_parms* cmd, void*, int on);
const char* cmd_restrict_signal(cmd_parms* cmd, void*, int on);
const char* cmd_switch_interval(cmd_parms* cmd, void*, const char* arg);
const char* cmd_per_interpreter_gil(cmd_parms* cmd, void*, int on);
const char* cmd_free_threading(cmd_parms* cmd, void*, int on);
const char* cmd_interpreter_options(cmd_parms* cmd, void*, const char* arg);
const char* cmd_lazy_initialization(cmd_parms* cmd, void*, int on);
const char* cmd_verbose_debugging(cmd_parms* cmd, void*, int on);
const char* cmd_slow_requests(cmd_parms* cmd, void*, const char* arg);
const char* cmd_refused_telemetry(cmd_parms* cmd, void*, const char* arg);

}  // namespace wsgi
