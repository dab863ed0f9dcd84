// wsgi_handler.h - the httpd side of a request: WSGIScriptAlias matching
// (translate_name), handler selection (fixups) and the wsgi-script handler.
#pragma once

#include "wsgi_httpd.h"

namespace wsgi {

void register_request_hooks();

// WSGIImportScript: load the configured scripts into their interpreters now
// (child start). Failures are logged; the first request retries.
void preload_scripts(server_rec* s);

}  // namespace wsgi
