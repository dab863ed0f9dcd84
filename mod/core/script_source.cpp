// script_source.cpp - see script_source.h.
#include "core/script_source.h"

#include "core/text.h"

#include <cstring>

namespace wsgi {

namespace {

std::string_view line_at(std::string_view src, std::size_t* pos)
{
    std::size_t start = *pos;
    if (start >= src.size()) return {};
    std::size_t nl = src.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? src.size() : nl + 1;
    *pos = end;
    return src.substr(start, end - start);
}

// Python's tokenize.blank_re: only whitespace, then a comment or nothing.
bool blank_or_comment(std::string_view line)
{
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\f')) ++i;
    return i == line.size() || line[i] == '#' || line[i] == '\r' || line[i] == '\n';
}

// PEP 263: ^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)
std::optional<std::string> cookie_of(std::string_view line)
{
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\f')) ++i;
    if (i >= line.size() || line[i] != '#') return std::nullopt;
    for (std::size_t at = line.find("coding", i); at != std::string_view::npos; at = line.find("coding", at + 1)) {
        std::size_t j = at + 6;
        if (j >= line.size() || (line[j] != ':' && line[j] != '=')) continue;
        ++j;
        while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
        std::size_t k = j;
        while (k < line.size() &&
               (ascii_alnum(line[k]) || line[k] == '-' || line[k] == '_' || line[k] == '.'))
            ++k;
        if (k > j) return std::string(line.substr(j, k - j));
    }
    return std::nullopt;
}

bool is_utf8_name(std::string_view declared)
{
    std::string name = ascii_lower(declared);
    if (name.size() > 5 && name.compare(0, 6, "utf-8-") == 0) return true;  // utf-8-unix etc.
    return name == "utf-8" || name == "utf8" || name == "utf_8";
}

}  // namespace

SourceFacts inspect_source(std::string_view src)
{
    SourceFacts f;
    if (const void* z = std::memchr(src.data(), '\0', src.size()))
        f.nul_at = static_cast<std::size_t>(static_cast<const char*>(z) - src.data());
    std::string_view body = src;
    if (body.size() >= 3 && body.compare(0, 3, "\xEF\xBB\xBF") == 0) {
        f.bom = 3;
        body.remove_prefix(3);
    }
    std::size_t pos = 0;
    std::string_view first = line_at(body, &pos);
    std::optional<std::string> cookie = cookie_of(first);
    if (cookie) {
        f.cookie_line = 1;
    } else if (blank_or_comment(first)) {
        cookie = cookie_of(line_at(body, &pos));
        if (cookie) f.cookie_line = 2;
    }
    if (cookie) {
        f.encoding = *cookie;
        if (f.bom && !is_utf8_name(*cookie))
            f.problem = "it starts with a UTF-8 byte order mark but declares the encoding '" + *cookie +
                        "' on line " + std::to_string(f.cookie_line);
    }
    return f;
}

LineCol line_col(std::string_view src, std::size_t offset)
{
    LineCol lc{1, 1};
    for (std::size_t i = 0; i < offset && i < src.size(); ++i) {
        if (src[i] == '\n') {
            ++lc.line;
            lc.column = 1;
        } else {
            ++lc.column;
        }
    }
    return lc;
}

}  // namespace wsgi
