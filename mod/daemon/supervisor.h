// supervisor.h - the Apache parent's side of daemon mode: the groups'
// sockets, starting their processes, restarting one that dies (its exit
// status or signal logged), and retiring them when Apache restarts.
//
// Lifetimes: a DaemonSet and its groups live in pconf (one server
// generation). Nothing of this is registered on a pool that outlives pconf
// with a function of this module (the module is unloaded and loaded again
// at every restart); what must outlive a generation (the secret, the pids
// of processes still retiring) is plain data in the process pool.
#pragma once

#include "daemon/group.h"

#include <vector>

namespace wsgi {

struct DaemonSet {
    std::vector<DaemonGroup*> groups;  // every WSGIDaemonProcess of the server
    DaemonShared shared;
};

// Parent: give every group its accounts (User/Group defaults, supplementary
// groups, home). An error message (naming the directive's file and line),
// or "" when all resolve.
std::string resolve_daemon_groups(DaemonSet& set);

// Parent, post_config of a real start (not the configuration check): the
// secret, every group's socket, and its processes. false (logged) when a
// socket cannot be made.
bool start_daemons(apr_pool_t* pconf, server_rec* s, DaemonSet& set, const char* socket_prefix);

// Apache child (child_init): close the listening sockets it inherited.
void close_daemon_listeners(const DaemonSet& set);

}  // namespace wsgi
