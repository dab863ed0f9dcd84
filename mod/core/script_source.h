// script_source.h - what must be true of a script file's bytes before it is
// compiled, and the encoding it declares. Pure: no httpd, no Python.
//
// Python's compiler takes a C string, so a NUL byte would silently end the
// script there; and bytes that do not decode in the script's encoding (even
// inside a comment) must not be served either. Both are found here with
// their byte offset, so the error log can name the place.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace wsgi {

struct SourceFacts {
    std::optional<std::size_t> nul_at;  // offset of the first NUL byte
    std::string encoding = "utf-8";     // declared by a PEP 263 cookie, else UTF-8
    int cookie_line = 0;                // 1 or 2 when a cookie declared it
    std::size_t bom = 0;                // bytes of a UTF-8 byte order mark to skip
    std::string problem;                // non-empty: cannot be decoded at all (says why)
};

SourceFacts inspect_source(std::string_view src);

// 1-based line and column (in bytes) of offset in src.
struct LineCol {
    std::size_t line, column;
};
LineCol line_col(std::string_view src, std::size_t offset);

}  // namespace wsgi
