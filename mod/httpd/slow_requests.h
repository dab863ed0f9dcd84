// slow_requests.h - WSGISlowRequests SECONDS: every request a WSGI script
// answered (embedded or through a daemon process) that took longer than
// that, from the request's arrival to the end of its response, is logged
// (WSGIS0905, warn) with its method, URL, status and time. mod_wsgi 6 sends
// such records to its telemetry ingester only; without one they go
// nowhere, so here they go to the error log.
#pragma once

#include "base/httpd.h"

namespace wsgi {

void register_slow_request_hook();

}  // namespace wsgi
