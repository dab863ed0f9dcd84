// http_rules.cpp - see http_rules.h.
#include "core/http_rules.h"

#include "core/text.h"

#include <climits>
#include <cstring>

namespace wsgi {

bool valid_status_line(std::string_view status)
{
    if (status.size() < 5) return false;
    for (int i = 0; i < 3; ++i)
        if (!ascii_digit(status[i])) return false;
    if (status[0] == '0' || status[3] != ' ') return false;
    for (size_t i = 4; i < status.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(status[i]);
        if (c < 0x20 || c == 0x7f) return false;
    }
    return true;
}

bool valid_header_name(std::string_view name)
{
    if (name.empty()) return false;
    for (char c : name)
        if (!(ascii_alnum(c) || (c && std::strchr("!#$%&'*+-.^_`|~", c)))) return false;
    return true;
}

bool valid_header_value(std::string_view value)
{
    for (char ch : value) {
        unsigned char c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    }
    return true;
}

std::optional<long long> parse_content_length(std::string_view value)
{
    if (value.empty()) return std::nullopt;
    // Leading zeros are digits too (RFC 9110: 1*DIGIT) but not part of the
    // value: only the rest is held to the 19 digits of 2^63-1.
    std::size_t first = value.find_first_not_of('0');
    if (first == std::string_view::npos) return 0;
    value.remove_prefix(first);
    if (value.size() > 19) return std::nullopt;
    unsigned long long n = 0;
    for (char ch : value) {
        if (ch < '0' || ch > '9') return std::nullopt;
        n = n * 10 + static_cast<unsigned>(ch - '0');
    }
    if (n > static_cast<unsigned long long>(LLONG_MAX)) return std::nullopt;
    return static_cast<long long>(n);
}

}  // namespace wsgi
