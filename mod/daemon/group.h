// group.h - one WSGIDaemonProcess: its options, where it was defined, and
// what the Apache parent resolved for it (accounts, socket). Made by the
// configuration (pconf: rebuilt at every restart), read by the parent that
// starts its processes, by the processes themselves, and by the Apache
// children that forward requests to it.
#pragma once

#include "base/httpd.h"
#include "core/daemon_options.h"
#include "core/python_options.h"
#include "core/wire.h"

#include <atomic>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace wsgi {

// A script a daemon process loads at its start (WSGIImportScript
// process-group=NAME, or a WSGIScriptAlias naming both groups).
struct DaemonPreload {
    std::string path;
    std::string app_group;  // expanded: "" is %{GLOBAL}
};

struct DaemonGroup {
    DaemonOptions options;
    server_rec* server = nullptr;      // where it was defined: a virtual host's group serves only that host
    const char* defined_in = nullptr;  // "file:line"
    std::vector<DaemonPreload> preload;

    // Resolved by the parent after the configuration is read.
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> supplementary;
    std::string home;         // "" = keep the working directory
    uid_t socket_uid = 0;     // the account the Apache children connect as (socket-user=, else Apache's User)
    bool script_owner = false;  // script-user= or script-group= given:
    uid_t script_uid = 0;       //   the owner a script file must have,
    gid_t script_gid = 0;       //   or its group
    std::string socket_path;  // the UNIX socket the Apache children connect to
    int listen_fd = -1;       // the parent's listening socket (the processes inherit it)
    unsigned index = 0;       // position among the server's groups (names the socket)
    // Shared by the parent and the group's processes (MAP_SHARED, made by
    // the parent before it forks them): bit i set while the process in slot
    // i takes new requests. A process due to retire for maximum-requests or
    // restart-interval waits while it is the only one (staggered retirement).
    std::atomic<std::uint64_t>* accepting = nullptr;
    // Bit i set while the process in slot i takes new requests and has a
    // thread free for one: while another has, a process whose threads are
    // all busy leaves new connections to it (and sends a request that comes
    // on a kept connection elsewhere: 'N'), as mod_wsgi's processes accept
    // only with a thread free. Beside `accepting`, in the same mapping.
    std::atomic<std::uint64_t>* free = nullptr;
};

// What every daemon process and Apache child of this server generation
// share: the hello secret (random, made once per Apache parent process and
// kept across restarts, so children of one generation reach daemons of the
// next) and the module's settings a daemon process needs.
struct DaemonShared {
    unsigned char secret[wire::kSecretSize];
    uid_t child_uid = 0;              // Apache's User: the only account let in (and root)
    const char* python_home = nullptr;            // WSGIPythonHome
    std::vector<std::string> python_path;         // WSGIPythonPath
    bool case_sensitive = true;
    bool pickle_diagnostics = false;  // some server has WSGIPickleDiagnostics On
    const PythonSettings* python = nullptr;  // the interpreter-level directives (in pconf)
    bool pickle_resolve = false;      // some server has WSGIPickleResolve On
};

}  // namespace wsgi
