// text.h - small text rules shared by the pure pieces: no httpd, no Python.
#pragma once

#include <string>
#include <string_view>

namespace wsgi {

// ASCII letters lower-cased, every other byte kept (paths, URLs, names).
std::string ascii_lower(std::string_view s);

// ASCII classes, whatever the C locale (Python sets LC_CTYPE from the
// environment, and a daemon group's lang=/locale= may name a Latin-1
// locale, where isalnum(0xE9) is true): HTTP tokens and Python's coding
// cookie are ASCII by their grammars.
constexpr bool ascii_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool ascii_alnum(char c) { return ascii_alpha(c) || ascii_digit(c); }

}  // namespace wsgi
