// process.h - one daemon process of a WSGIDaemonProcess group: forked by
// the Apache parent, it drops to the group's user and group before Python
// starts, then serves the requests Apache children hand it over the
// group's socket with `threads` worker threads, each request through the
// same pipeline as embedded mode.
//
// Signals: SIGUSR1 (Apache restarting) retires it gracefully: in-flight
// requests finish, and it exits once its connections are done or the
// graceful-timeout (else the shutdown-timeout) is up. SIGTERM/SIGINT/SIGHUP
// stop it: in-flight requests get the shutdown-timeout. It also retires
// itself when a script it loaded has changed (the request that noticed is
// handed to the next process) and after inactivity-timeout idle seconds; the
// parent starts the replacement.
#pragma once

#include "daemon/group.h"

#include <vector>

namespace wsgi {

// Why a daemon process ended, as its exit status: the Apache parent names
// the reason when it logs the replacement. Apache hands the parent the
// exit status or the signal number without saying which, so the reasons
// sit above every signal number (1..64).
enum class Retirement : int {
    kExited = 0,  // stopped by a signal it handled, or an unknown reason
    kStartFailed = 70,
    kDeadlock,
    kApacheRestart,
    kCpuTimeLimit,
    kInactivity,
    kRestartInterval,
    kMaximumRequests,
    kStartupTimeout,
    kMemoryLimit,
    kRequestTimeout,
    kScriptChanged,
};

// The reason's name for the log ("maximum-requests", "a changed script"...),
// nullptr for an exit status that is not one of them.
const char* retirement_name(int exit_status);

// The daemon process's main: never returns. `others` are the listening
// sockets of the other groups (closed here).
// `slot`: its place among the group's processes (its bit in
// DaemonGroup::accepting).
[[noreturn]] void run_daemon_process(process_rec* process, server_rec* s, const DaemonGroup& group,
                                     const DaemonShared& shared, const std::vector<int>& others, unsigned slot);

}  // namespace wsgi
