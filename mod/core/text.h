// text.h - small text rules shared by the pure pieces: no httpd, no Python.
#pragma once

#include <string>
#include <string_view>

namespace wsgi {

// ASCII letters lower-cased, every other byte kept (paths, URLs, names).
std::string ascii_lower(std::string_view s);

}  // namespace wsgi
