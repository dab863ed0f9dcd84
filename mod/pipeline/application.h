// application.h - one request through the pipeline: the script's module
// (loaded or reloaded as needed), its WSGI callable, and the application
// run over the transport. GIL held, the interpreter current.
#pragma once

#include "pipeline/environ.h"
#include "pipeline/scripts.h"
#include "pipeline/transport.h"

namespace wsgi {

// 0 once the response was sent (or the server answered the client
// itself), else the HTTP status to answer with (logged), or
// Transport::kAnswered.
int serve_request(Interpreter* in, Transport& t, const RequestSettings& rs, const ScriptLoad& load);

}  // namespace wsgi
