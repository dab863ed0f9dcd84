// dispatch.h - WSGIDispatchScript (mod_wsgi's): a script whose
// process_group(environ), application_group(environ) and
// callable_object(environ) may override, per request, where the request's
// application runs and which callable it is. Runs in the Apache child, in
// the dispatch script's own interpreter. GIL held, that interpreter current.
#pragma once

#include "pipeline/scripts.h"
#include "pipeline/transport.h"

#include <optional>
#include <string>

namespace wsgi {

// What the dispatch script decided; an empty optional keeps the
// configuration's choice (the function is absent or returned None).
struct DispatchDecision {
    std::optional<std::string> process_group, application_group, callable_object;
};

// Load (or reload) the dispatch script and ask it. `interpreter_name` is
// shown to it as mod_wsgi.application_group. 0 on success, else the HTTP
// status to answer (the reason logged with the traceback: WSGIS0115).
int run_dispatch(Interpreter* in, Transport& t, const ScriptLoad& load, DispatchDecision* out);

}  // namespace wsgi
