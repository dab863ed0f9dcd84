// client.h - the Apache child's side of daemon mode: hand a request to a
// process of its daemon group over the group's UNIX socket and relay the
// response, streaming both ways with bounded memory (the body is sent
// piece by piece as the application asks for it; each response piece is
// passed on at once). Connections are kept per child and reused.
//
// Runs in an Apache worker thread without the GIL (no Python is involved in
// the child for these requests). The Apache side is reached through the
// pipeline's Transport interface (the embedded transport of the request).
#pragma once

#include "daemon/group.h"
#include "pipeline/transport.h"

namespace wsgi {

struct ForwardRequest {
    const char* script_path = nullptr;
    const char* callable = nullptr;
    const char* app_group = "";
    std::uint8_t flags = 0;        // wire::Flags
    apr_time_t mtime = 0;          // the script's mtime as the child saw it
    apr_time_t request_time = 0;
    int timeout_ms = 60000;        // Apache's Timeout: the longest wait for the daemon
    bool error_override = false;   // WSGIErrorOverride: an error status gets Apache's error document
};

// What the handler should answer: 0 when the response was relayed (or
// ended as broken), an HTTP status (the reason logged: 503 when the
// daemon cannot be reached, 502 when it failed mid-request, or the
// status the daemon asked for), or Transport::kAnswered.
int forward_request(Transport& t, const DaemonGroup& g, const DaemonShared& shared, const ForwardRequest& q);

// Close every kept connection (child exit).
void close_kept_connections();

}  // namespace wsgi
