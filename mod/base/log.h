// log.h - the one way the module writes to the Apache error log: every line
// "TAG: text", TAG a "WSGISnnnn" of docs/error-reference.md. No Python.
#pragma once

#include "base/httpd.h"

#include <string_view>

namespace wsgi {

// Where a line goes: the request when there is one (Apache then adds the
// client), else the server.
struct LogTarget {
    request_rec* r = nullptr;
    server_rec* s = nullptr;
    // Without a request_rec (a daemon process serving a request the Apache
    // child forwarded): "ip:port" shown as Apache shows a request's client.
    const char* client = nullptr;
    static LogTarget of(request_rec* r) { return {r, r->server, nullptr}; }
    static LogTarget of(server_rec* s) { return {nullptr, s, nullptr}; }
};

// One line, "TAG: text".
void log_line(const LogTarget& to, int level, const char* tag, std::string_view text);

// Same, formatted like printf.
void log_fmt(const LogTarget& to, int level, const char* tag, const char* fmt, ...)
    __attribute__((format(printf, 4, 5)));

// Each line of text (split at newlines, empty lines dropped) as a tagged line.
void log_lines(const LogTarget& to, int level, const char* tag, std::string_view text);

}  // namespace wsgi
