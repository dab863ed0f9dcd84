// http_rules.h - what a WSGI application may put in a response's status
// line and headers: pure rules, no httpd and no Python (unit tested and
// fuzzed on their own).
#pragma once

#include <optional>
#include <string_view>

namespace wsgi {

// True when a WSGI status line is "NNN Reason" (three digits, space, text
// without control characters).
bool valid_status_line(std::string_view status);

// A response header name: an RFC 9110 token (no separators, no controls).
bool valid_header_name(std::string_view name);
// A response header value: no control character but tab (CR or LF would
// let a value start another header or end the head).
bool valid_header_value(std::string_view value);
// A Content-Length value: decimal digits only (no sign, no space), at most
// 2^63-1; nullopt otherwise.
std::optional<long long> parse_content_length(std::string_view value);

}  // namespace wsgi
