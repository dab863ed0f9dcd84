// python_options.h - the interpreter-level settings (WSGIPythonOptimize,
// WSGIPythonHashSeed, WSGIPythonWarnings, WSGIRestrictStdin/Stdout/Signal,
// WSGISwitchInterval, <WSGIInterpreterOptions> ...): their values, the
// checks made at configuration time, and which value applies to which
// process and interpreter. Pure rules, no httpd and no Python, so that
// tests/unit can check them directly.
//
// One PythonSettings per server generation, filled by the directives (in
// the configuration pool, see httpd/python_config.h), read-only afterwards:
// by the Apache children, the daemon processes and the parent.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsgi {

constexpr int kPyUnset = -1;

// One <WSGIInterpreterOptions [process-group=NAME] [application-group=NAME]>.
struct InterpreterOptionsBlock {
    std::optional<std::string> process_group;      // nullopt: any; "" embedded (%{GLOBAL})
    std::optional<std::string> application_group;  // nullopt: any; "" the main interpreter (%{GLOBAL})
    int restrict_stdin = kPyUnset, restrict_stdout = kPyUnset, restrict_signal = kPyUnset;
    double switch_interval = 0;                    // > 0: set (never with application_group)
    std::vector<std::string> python_path;          // added to the interpreters it matches
    std::string defined_in;                        // "file:line"
    int specificity() const { return (process_group ? 1 : 0) + (application_group ? 1 : 0); }
};

struct PythonSettings {
    // Per process, fixed when Python starts (PyConfig).
    int dont_write_bytecode = kPyUnset;       // WSGIDontWriteBytecode
    int optimize = kPyUnset;                  // WSGIPythonOptimize 0..2
    std::vector<std::string> warnings;        // WSGIPythonWarnings, in order
    std::optional<std::uint32_t> hash_seed;   // WSGIPythonHashSeed N (nullopt: random)
    std::string python_eggs;                  // WSGIPythonEggs: PYTHON_EGG_CACHE
    double switch_interval = 0;               // WSGISwitchInterval (> 0: set)
    int destroy_interpreter = kPyUnset;       // WSGIDestroyInterpreter
    // Per interpreter (the top level; blocks may override).
    int restrict_stdin = kPyUnset, restrict_stdout = kPyUnset, restrict_signal = kPyUnset;
    std::vector<InterpreterOptionsBlock> blocks;
    // Accepted for mod_wsgi's sake, with a notice at start-up.
    int lazy_initialization = kPyUnset;       // WSGILazyInitialization
    int verbose_debugging = kPyUnset;         // WSGIVerboseDebugging
    double slow_requests = -1;                // WSGISlowRequests (>= 0: log slower requests)

    bool write_bytecode() const { return dont_write_bytecode != 1; }
    int optimization_level() const { return optimize < 0 ? 0 : optimize; }
    bool destroy() const { return destroy_interpreter != 0; }
};

// What applies to one interpreter: the top level, then the matching
// blocks, least specific first (a later block of equal specificity wins).
struct InterpreterSettings {
    bool restrict_stdin = false;   // mod_wsgi's default since 3.0: Off
    bool restrict_stdout = false;  // Off
    bool restrict_signal = true;   // On
    // Directories of matching blocks, least specific first (each layer is
    // put in front of sys.path, so the most specific ends up first).
    std::vector<std::vector<std::string>> python_path_layers;
};

// process_group: "" for embedded mode (the Apache children), else the
// daemon process group's name; application_group: "" for the main
// interpreter.
InterpreterSettings resolve_interpreter(const PythonSettings& s, std::string_view process_group,
                                        std::string_view application_group);

// The switch interval a process sets: a block selecting its process group
// only (or nothing), else WSGISwitchInterval; 0 when none is set. The
// daemon's own switch-interval= wins over both (decided by the caller).
double resolve_switch_interval(const PythonSettings& s, std::string_view process_group);

// Checks at configuration time: "" when valid, else the message.
std::string parse_python_optimize(std::string_view v, int* level);
std::string parse_hash_seed(std::string_view v, std::optional<std::uint32_t>* seed);
std::string parse_switch_interval(std::string_view v, double* seconds);
std::string check_warning_spec(std::string_view v);  // Python's -W syntax
std::string parse_slow_requests(std::string_view v, double* seconds);

// The opening line of <WSGIInterpreterOptions ...> (the text after the
// name, up to and without the '>'), split into words by the caller.
std::string parse_interpreter_selector(std::string_view word, InterpreterOptionsBlock& block);

}  // namespace wsgi
