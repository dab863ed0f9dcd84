// wsgi_logging.h - writing lines, and Python exceptions with their
// traceback, to the Apache error log.
#pragma once

#include "py_ref.h"
#include "wsgi_httpd.h"

#include <string>
#include <string_view>

namespace wsgi {

// Where a line goes: the request when there is one (Apache then adds the
// client), else the server.
struct LogTarget {
    request_rec* r = nullptr;
    server_rec* s = nullptr;
    static LogTarget of(request_rec* r) { return {r, r->server}; }
    static LogTarget of(server_rec* s) { return {nullptr, s}; }
};

// One line, "TAG: text". tag is e.g. "WSGIS0201".
void log_line(const LogTarget& to, int level, const char* tag, std::string_view text);

// Same, splitting text at newlines (one log line each, empty lines dropped).
void log_lines(const LogTarget& to, int level, const char* tag, std::string_view text);

// GIL held, a Python exception set: log `headline`, then the traceback, each
// line tagged; the exception is cleared.
void log_exception(const LogTarget& to, int level, const char* tag, const std::string& headline);

// GIL held: the pending exception, normalised with its traceback attached,
// and cleared (empty when none is set).
PyRef fetch_exception();

// GIL held: "Type: message" of the pending exception, which is cleared.
std::string describe_python_error();

}  // namespace wsgi
