// daemon_options.h - the options of WSGIDaemonProcess, with mod_wsgi's names
// and meaning: parsed and checked here, pure (no httpd, no Python), so the
// rules are unit tested and fuzzed on their own. Users and groups are kept
// as written ("name" or "#id"); the glue resolves them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsgi {

struct DaemonOptions {
    std::string name;                      // the process group
    int processes = 1;
    bool processes_given = false;          // processes= written: wsgi.multiprocess is True even for 1
    int threads = 15;
    std::string user, group;               // "" = Apache's User/Group
    std::vector<std::string> supplementary_groups;
    std::optional<unsigned> umask;
    std::string home;                      // "" = the user's home directory
    std::string python_home;               // "" = WSGIPythonHome
    std::vector<std::string> python_path;  // empty = WSGIPythonPath
    bool python_path_given = false;
    std::string python_eggs;               // PYTHON_EGG_CACHE
    std::string lang, locale;              // LANG, LC_ALL
    std::string display_name;              // "%{GROUP}" = "(wsgi:NAME)"
    int inactivity_timeout = 0;            // seconds; 0 = never
    int graceful_timeout = 0;              // seconds
    int shutdown_timeout = 5;              // seconds
};

// Parse the words after the group name ("name=value" each) into opts.
// Returns "" on success, else the message to show at config time (it names
// the option and why: a bad value, an option of mod_wsgi this module does
// not provide yet and why, or an unknown one).
std::string parse_daemon_option(std::string_view word, DaemonOptions& opts);

// A process group name mod_wsgi would accept: not empty, no '%', no space.
std::string check_daemon_name(std::string_view name);

// The process title of display-name= (%{GROUP} expanded), "" = keep Apache's.
std::string daemon_display_name(const DaemonOptions& opts);

}  // namespace wsgi
