// hooks.h - the httpd side of a request: WSGIScriptAlias matching
// (translate_name), handler selection (fixups) and the wsgi-script handler,
// which resolves the request's settings and interpreter and runs it through
// the pipeline over an ApacheTransport; WSGIImportScript preloading.
#pragma once

#include "base/httpd.h"

#include <string>

namespace wsgi {

void register_request_hooks();

// An application group that does not depend on a request (WSGIImportScript,
// preloading): %{GLOBAL} is "", %{SERVER} the server's name and port.
std::string static_group_name(server_rec* s, const char* spec);

// %{SERVER} of a request: the server's name and the port the connection
// came in on (never the port a client writes in its Host header).
std::string server_group_of(request_rec* r);

// WSGIImportScript: load the configured scripts into their interpreters now
// (child start). Failures are logged; the first request retries.
void preload_scripts(server_rec* s);

}  // namespace wsgi
