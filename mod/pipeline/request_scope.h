// request_scope.h - the request this thread is serving, for what Python
// writes while it runs (print(), sys.stderr, wsgiscript's own log lines):
// they belong to that request in the error log. Set by whoever runs a
// request (the glue), around the pipeline. No GIL needed.
#pragma once

#include "pipeline/transport.h"

#include <string>
#include <vector>

namespace wsgi {

class RequestScope {
public:
    explicit RequestScope(Transport& t);
    ~RequestScope();  // logs what process-wide streams left unfinished for this request
    RequestScope(const RequestScope&) = delete;
    RequestScope& operator=(const RequestScope&) = delete;

    static Transport* current();  // nullptr outside a request
    // Where a line written now goes: the current request, else `fallback`.
    static LogTarget target_or(server_rec* fallback);
    // The unfinished line a process-wide stream (sys.stdout, sys.stderr)
    // holds for this thread's request, made on first use; nullptr outside
    // a request. Kept per request so one request's text is never logged
    // under another's client.
    static std::string* partial_line(const void* stream, int level);

private:
    struct Partial {
        const void* stream;
        int level;
        std::string text;
    };
    Transport& transport_;
    RequestScope* prev_;
    std::vector<Partial> partial_;
};

}  // namespace wsgi
