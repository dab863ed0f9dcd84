// log.cpp - see log.h.
#include "base/log.h"

#include <cstdarg>
#include <cstdio>

namespace wsgi {

void log_line(const LogTarget& to, int level, const char* tag, std::string_view text)
{
    int len = static_cast<int>(text.size());
    if (to.r)
        ap_log_rerror(APLOG_MARK, level, 0, to.r, "%s: %.*s", tag, len, text.data());
    else if (to.client)
        ap_log_error(APLOG_MARK, level, 0, to.s, "[client %s] %s: %.*s", to.client, tag, len, text.data());
    else
        ap_log_error(APLOG_MARK, level, 0, to.s, "%s: %.*s", tag, len, text.data());
}

void log_fmt(const LogTarget& to, int level, const char* tag, const char* fmt, ...)
{
    char buf[8192];  // httpd's own limit for one error-log line
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    log_line(to, level, tag, std::string_view(buf, std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1)));
}

void log_lines(const LogTarget& to, int level, const char* tag, std::string_view text)
{
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!line.empty()) log_line(to, level, tag, line);
        pos = nl + 1;
    }
}

}  // namespace wsgi
