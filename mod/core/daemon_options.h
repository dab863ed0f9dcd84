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
    // The process lifecycle (0 = off unless said otherwise).
    int restart_interval = 0;              // seconds of life
    long maximum_requests = 0;             // requests served
    int startup_timeout = 0;               // seconds without a successful script load
    int request_timeout = 0;               // seconds one request may run
    int deadlock_timeout = 300;            // seconds the GIL may stay taken (mod_wsgi's default)
    int eviction_timeout = -1;             // seconds after an Apache restart (-1: graceful-timeout)
    int connect_timeout = 15;              // seconds an Apache child waits to connect
    int socket_timeout = 0;                // seconds per read/write (0: Apache's Timeout)
    int queue_timeout = 0;                 // seconds a request may wait for a free thread
    int listen_backlog = 100;
    std::string socket_user;               // "" = Apache's User
    int cpu_time_limit = 0;                // seconds of CPU
    std::optional<int> cpu_priority;       // nice value, -20..20
    long long memory_limit = 0;            // bytes of resident memory
    long long virtual_memory_limit = 0;    // bytes of address space
    long long stack_size = 0;              // bytes per request thread (0: the system's)
    long long receive_buffer_size = 0;     // SO_RCVBUF/SO_SNDBUF of the daemon sockets (0: the system's)
    long long send_buffer_size = 0;
    long long header_buffer_size = 32768;  // the largest response header name or value
    long long response_buffer_size = 8 << 20;  // bytes passed on without a flush at most
    int response_socket_timeout = 0;       // seconds per write to the HTTP client (0: socket-timeout)
    std::string script_user, script_group; // the owner a script file must have
    double switch_interval = 0;            // sys.setswitchinterval(), seconds (0: Python's)
    bool server_metrics = false;           // mod_wsgi.server_metrics() answers (else None)
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
