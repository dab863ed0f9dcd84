// python_config.cpp - see python_config.h. Messages returned here are shown
// by httpd with the config file name and line.
#include "httpd/python_config.h"

#include "base/log.h"

#include <string>

namespace wsgi {

namespace {

constexpr const char kSection[] = "<WSGIInterpreterOptions";

// What may stand inside <WSGIInterpreterOptions> (mod_wsgi 6's list).
constexpr const char* kBlockDirectives[] = {"WSGIPerInterpreterGIL", "WSGIFreeThreading", "WSGISwitchInterval",
                                            "WSGIPythonPath",        "WSGIRestrictStdin", "WSGIRestrictStdout",
                                            "WSGIRestrictSignal"};

const char* where_of(cmd_parms* cmd)
{
    if (!cmd->directive) return "(unknown)";
    return apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename, cmd->directive->line_num);
}

const char* fail(cmd_parms* cmd, const std::string& msg)
{
    return apr_pstrcat(cmd->pool, cmd->cmd->name, ": ", msg.c_str(), nullptr);
}

PythonSettings& settings(cmd_parms* cmd) { return python_settings(cmd->pool); }

// Process-wide directives: the main server's configuration only.
const char* global_only(cmd_parms* cmd)
{
    if (active_interpreter_block(cmd))
        return fail(cmd, "cannot be set per interpreter: it applies to the whole process (only "
                         "WSGIPerInterpreterGIL, WSGIFreeThreading, WSGISwitchInterval, WSGIPythonPath and "
                         "WSGIRestrictStdin/Stdout/Signal can stand in <WSGIInterpreterOptions>)");
    return ap_check_cmd_context(cmd, GLOBAL_ONLY);
}

// On/Off that a <WSGIInterpreterOptions> block may override.
const char* set_restriction(cmd_parms* cmd, int on, int PythonSettings::*top, int InterpreterOptionsBlock::*in_block)
{
    if (const char* err = ap_check_cmd_context(cmd, GLOBAL_ONLY)) return err;
    if (InterpreterOptionsBlock* b = active_interpreter_block(cmd))
        b->*in_block = on ? 1 : 0;
    else
        settings(cmd).*top = on ? 1 : 0;
    return nullptr;
}

// The settings of the generation in force, also held here: an Apache child
// exits without destroying pconf, and a leak checker must see them (kept in
// pool memory it does not scan) as still reachable.
PythonSettings* g_current_settings = nullptr;

}  // namespace

PythonSettings& python_settings(apr_pool_t* pconf)
{
    static const char kKey[] = "wsgiscript.python_settings";
    void* data = nullptr;
    apr_pool_userdata_get(&data, kKey, pconf);
    if (!data) {
        data = new PythonSettings;
        g_current_settings = static_cast<PythonSettings*>(data);
        apr_pool_userdata_set(
            data, kKey,
            [](void* p) -> apr_status_t {
                auto* settings = static_cast<PythonSettings*>(p);
                if (g_current_settings == settings) g_current_settings = nullptr;
                delete settings;
                return APR_SUCCESS;
            },
            pconf);
    }
    return *static_cast<PythonSettings*>(data);
}

InterpreterOptionsBlock* active_interpreter_block(cmd_parms* cmd)
{
    const ap_directive_t* parent = cmd->directive ? cmd->directive->parent : nullptr;
    if (!parent || strcasecmp(parent->directive, kSection) != 0) return nullptr;
    return static_cast<InterpreterOptionsBlock*>(parent->data);
}

const char* set_block_python_path(cmd_parms*, InterpreterOptionsBlock* block, const char* arg)
{
    // As at the top level: the last WSGIPythonPath of a block is used.
    block->python_path.clear();
    std::string_view all(arg);
    size_t pos = 0;
    while (pos <= all.size()) {
        size_t end = all.find(':', pos);
        if (end == std::string_view::npos) end = all.size();
        if (end > pos) block->python_path.emplace_back(all.substr(pos, end - pos));
        pos = end + 1;
    }
    return nullptr;
}

const char* cmd_dont_write_bytecode(cmd_parms* cmd, void*, int on)
{
    if (const char* err = global_only(cmd)) return err;
    settings(cmd).dont_write_bytecode = on ? 1 : 0;
    return nullptr;
}

const char* cmd_python_warnings(cmd_parms* cmd, void*, const char* arg)
{
    if (const char* err = global_only(cmd)) return err;
    if (std::string err = check_warning_spec(arg); !err.empty()) return fail(cmd, err);
    settings(cmd).warnings.emplace_back(arg);
    return nullptr;
}

const char* cmd_python_optimize(cmd_parms* cmd, void*, const char* arg)
{
    if (const char* err = global_only(cmd)) return err;
    int level = 0;
    if (std::string err = parse_python_optimize(arg, &level); !err.empty()) return fail(cmd, err);
    settings(cmd).optimize = level;
    return nullptr;
}

const char* cmd_python_eggs(cmd_parms* cmd, void*, const char* arg)
{
    if (const char* err = global_only(cmd)) return err;
    const char* dir = *arg ? ap_server_root_relative(cmd->pool, arg) : nullptr;
    if (!dir) return fail(cmd, std::string("invalid directory '") + arg + "'");
    settings(cmd).python_eggs = dir;
    return nullptr;
}

const char* cmd_python_hash_seed(cmd_parms* cmd, void*, const char* arg)
{
    if (const char* err = global_only(cmd)) return err;
    std::optional<std::uint32_t> seed;
    if (std::string err = parse_hash_seed(arg, &seed); !err.empty()) return fail(cmd, err);
    settings(cmd).hash_seed = seed;
    return nullptr;
}

const char* cmd_destroy_interpreter(cmd_parms* cmd, void*, int on)
{
    if (const char* err = global_only(cmd)) return err;
    settings(cmd).destroy_interpreter = on ? 1 : 0;
    return nullptr;
}

const char* cmd_restrict_stdin(cmd_parms* cmd, void*, int on)
{
    return set_restriction(cmd, on, &PythonSettings::restrict_stdin, &InterpreterOptionsBlock::restrict_stdin);
}

const char* cmd_restrict_stdout(cmd_parms* cmd, void*, int on)
{
    return set_restriction(cmd, on, &PythonSettings::restrict_stdout, &InterpreterOptionsBlock::restrict_stdout);
}

const char* cmd_restrict_signal(cmd_parms* cmd, void*, int on)
{
    return set_restriction(cmd, on, &PythonSettings::restrict_signal, &InterpreterOptionsBlock::restrict_signal);
}

const char* cmd_switch_interval(cmd_parms* cmd, void*, const char* arg)
{
    if (const char* err = ap_check_cmd_context(cmd, GLOBAL_ONLY)) return err;
    double seconds = 0;
    if (std::string err = parse_switch_interval(arg, &seconds); !err.empty()) return fail(cmd, err);
    InterpreterOptionsBlock* b = active_interpreter_block(cmd);
    if (b && b->application_group)
        return fail(cmd, "cannot be set for an application group: with one GIL shared by every interpreter "
                         "of the process (Python " PY_VERSION ", the module's build) the switch interval is the "
                         "whole process's; a per-interpreter GIL needs Python 3.12. Select process-group= only");
    if (b)
        b->switch_interval = seconds;
    else
        settings(cmd).switch_interval = seconds;
    return nullptr;
}

const char* cmd_per_interpreter_gil(cmd_parms* cmd, void*, int on)
{
    if (const char* err = ap_check_cmd_context(cmd, GLOBAL_ONLY)) return err;
    if (on)
        return fail(cmd, "On cannot be honoured: a per-interpreter GIL (PEP 684) needs Python 3.12 or later; this "
                         "module is built against Python " PY_VERSION ", where every interpreter of a process "
                         "shares one GIL (what Off asks for)");
    return nullptr;  // Off: what Python 3.11 does
}

const char* cmd_free_threading(cmd_parms* cmd, void*, int on)
{
    if (const char* err = ap_check_cmd_context(cmd, GLOBAL_ONLY)) return err;
    if (on)
        return fail(cmd, "On cannot be honoured: running without the GIL (PEP 703) needs a free-threaded build "
                         "of Python 3.13 or later; this module is built against Python " PY_VERSION
                         ", which always has the GIL (what Off asks for)");
    return nullptr;  // Off: what Python 3.11 does
}

// <WSGIInterpreterOptions [process-group=NAME] [application-group=NAME]>:
// the selectors, then the directives inside, each of which finds its block
// through active_interpreter_block().
const char* cmd_interpreter_options(cmd_parms* cmd, void*, const char* arg)
{
    if (const char* err = ap_check_cmd_context(cmd, GLOBAL_ONLY)) return err;
    const char* end = ap_strrchr_c(arg, '>');
    if (!end) return apr_pstrcat(cmd->pool, kSection, "> directive missing closing '>'", nullptr);
    const char* args = apr_pstrndup(cmd->temp_pool, arg, static_cast<apr_size_t>(end - arg));
    InterpreterOptionsBlock block;
    block.defined_in = where_of(cmd);
    while (*args) {
        const char* word = ap_getword_conf(cmd->temp_pool, &args);
        if (!*word) break;
        if (std::string err = parse_interpreter_selector(word, block); !err.empty())
            return apr_pstrcat(cmd->pool, kSection, ">: ", err.c_str(), nullptr);
    }
    for (const ap_directive_t* d = cmd->directive->first_child; d; d = d->next) {
        bool allowed = false;
        for (const char* name : kBlockDirectives) allowed = allowed || strcasecmp(d->directive, name) == 0;
        if (!allowed)
            return apr_psprintf(cmd->pool,
                                "%s>: %s (%s:%d) cannot stand here; only WSGIPerInterpreterGIL, "
                                "WSGIFreeThreading, WSGISwitchInterval, WSGIPythonPath, WSGIRestrictStdin, "
                                "WSGIRestrictStdout and WSGIRestrictSignal apply per interpreter",
                                kSection, d->directive, d->filename, d->line_num);
    }
    PythonSettings& s = settings(cmd);
    s.blocks.push_back(std::move(block));
    // The vector is not grown again while its last block's directives run
    // (sections do not nest), so the pointer stays valid for the walk.
    cmd->directive->data = &s.blocks.back();
    const char* err = ap_walk_config(cmd->directive->first_child, cmd, cmd->context);
    cmd->directive->data = nullptr;
    return err;
}

const char* cmd_lazy_initialization(cmd_parms* cmd, void*, int on)
{
    if (const char* err = global_only(cmd)) return err;
    settings(cmd).lazy_initialization = on ? 1 : 0;
    if (!on)
        log_fmt(LogTarget::of(cmd->server), APLOG_WARNING, "WSGIS0901",
                "WSGILazyInitialization Off at %s has no effect: mod_wsgiscript always starts Python in each "
                "Apache child and daemon process after the fork, never in the Apache parent (what On asks for)",
                where_of(cmd));
    return nullptr;
}

const char* cmd_verbose_debugging(cmd_parms* cmd, void*, int on)
{
    if (const char* err = global_only(cmd)) return err;
    settings(cmd).verbose_debugging = on ? 1 : 0;
    if (on)
        log_fmt(LogTarget::of(cmd->server), APLOG_WARNING, "WSGIS0902",
                "WSGIVerboseDebugging On at %s has no effect (as in mod_wsgi 6): mod_wsgiscript has no extra "
                "debugging output; 'LogLevel wsgiscript:info' shows its start-up, interpreter and script "
                "loading lines",
                where_of(cmd));
    return nullptr;
}

const char* cmd_slow_requests(cmd_parms* cmd, void*, const char* arg)
{
    if (const char* err = global_only(cmd)) return err;
    double seconds = 0;
    if (std::string err = parse_slow_requests(arg, &seconds); !err.empty()) return fail(cmd, err);
    settings(cmd).slow_requests = seconds;
    return nullptr;
}

const char* cmd_refused_telemetry(cmd_parms* cmd, void*, const char*)
{
    if (const char* err = ap_check_cmd_context(cmd, GLOBAL_ONLY)) return err;
    return fail(cmd, "is not supported: mod_wsgi 6's telemetry reporter sends binary datagrams to its own "
                     "ingester (the mod_wsgi-telemetry package), whose format this module does not implement. "
                     "WSGISlowRequests alone logs slow requests to the error log (WSGIS0905)");
}

}  // namespace wsgi
