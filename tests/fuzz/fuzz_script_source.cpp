// fuzz_script_source: a WSGI script's bytes before they are decoded
// (core/script_source.h): inspect_source and line_col.
//
// Input: the script's bytes.
//
// Properties:
// - nul_at is the offset of the first NUL byte, if any;
// - bom is 3 exactly when the bytes start with EF BB BF;
// - the declared encoding is the PEP 263 cookie of line 1, else of line 2
//   when line 1 is blank or only a comment (lines of the text after the BOM,
//   each ending at '\n'), as Python's tokenizer finds it:
//   ^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+) with ASCII \w; cookie_line says
//   which line (0: none, encoding "utf-8");
// - only the first two lines matter: the same two lines with nothing after
//   them give the same encoding, cookie line, BOM and problem;
// - problem is set exactly when a BOM is followed by a cookie naming an
//   encoding other than UTF-8 (utf-8, utf8, utf_8, utf-8-*, any case);
// - line_col(src, off) is 1 + the newlines before off, and 1 + the bytes
//   since the last of them (off past the end counts to the end).
#include "core/script_source.h"

#include "fuzz_check.h"

namespace {

using fuzz::show;

bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
}

// The text of line n (1-based) of s, '\n' included; empty past the end.
std::string_view nth_line(std::string_view s, int n, std::size_t* end_out = nullptr)
{
    std::size_t start = 0;
    for (int i = 1; i < n; ++i) {
        std::size_t nl = s.find('\n', start);
        if (nl == std::string_view::npos) {
            start = s.size();
            break;
        }
        start = nl + 1;
    }
    std::size_t nl = s.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? s.size() : nl + 1;
    if (end_out) *end_out = end;
    return s.substr(start, end - start);
}

// The regular expression, scanned position by position.
std::optional<std::string> ref_cookie(std::string_view line)
{
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\f')) ++i;
    if (i == line.size() || line[i] != '#') return std::nullopt;
    for (std::size_t at = i + 1; at + 6 <= line.size(); ++at) {  // ".*?" : the first place that matches
        if (line[at] == '\n') break;                               // '.' does not match a newline
        if (line.substr(at, 6) != "coding") continue;
        std::size_t j = at + 6;
        if (j >= line.size() || (line[j] != ':' && line[j] != '=')) continue;
        ++j;
        while (j < line.size() && (line[j] == ' ' || line[j] == '\t')) ++j;
        std::size_t k = j;
        while (k < line.size() && name_char(line[k])) ++k;
        if (k > j) return std::string(line.substr(j, k - j));
    }
    return std::nullopt;
}

bool ref_blank_or_comment(std::string_view line)
{
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\f')) ++i;
    return i == line.size() || line[i] == '#' || line[i] == '\r' || line[i] == '\n';
}

bool ref_utf8_name(std::string_view n)
{
    std::string l(n);
    for (char& c : l)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return l == "utf-8" || l == "utf8" || l == "utf_8" || l.starts_with("utf-8-");
}

void check_line_col(std::string_view src, std::size_t off)
{
    wsgi::LineCol lc = wsgi::line_col(src, off);
    std::size_t upto = std::min(off, src.size());
    std::size_t line = 1, last_nl_end = 0;
    for (std::size_t i = 0; i < upto; ++i)
        if (src[i] == '\n') {
            ++line;
            last_nl_end = i + 1;
        }
    FUZZ_CHECK(lc.line == line && lc.column == upto - last_nl_end + 1,
               "line_col(" + std::to_string(off) + ") is " + std::to_string(lc.line) + ":" +
                   std::to_string(lc.column) + ", expected " + std::to_string(line) + ":" +
                   std::to_string(upto - last_nl_end + 1) + " in " + show(src));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view src(reinterpret_cast<const char*>(data), size);
    wsgi::SourceFacts f = wsgi::inspect_source(src);

    std::size_t nul = src.find('\0');
    FUZZ_CHECK(f.nul_at == (nul == std::string_view::npos ? std::nullopt : std::optional<std::size_t>(nul)),
               "nul_at is the first NUL byte");
    bool has_bom = src.size() >= 3 && src.substr(0, 3) == "\xEF\xBB\xBF";
    FUZZ_CHECK(f.bom == (has_bom ? 3u : 0u), "bom is 3 exactly after EF BB BF");

    std::string_view body = src.substr(f.bom);
    std::size_t end2 = 0;
    std::string_view l1 = nth_line(body, 1), l2 = nth_line(body, 2, &end2);
    std::optional<std::string> c1 = ref_cookie(l1), c2;
    if (!c1 && ref_blank_or_comment(l1)) c2 = ref_cookie(l2);
    int want_line = c1 ? 1 : c2 ? 2 : 0;
    std::string want_enc = c1 ? *c1 : c2 ? *c2 : "utf-8";
    FUZZ_CHECK(f.cookie_line == want_line && f.encoding == want_enc,
               "the coding cookie is " + show(want_enc) + " on line " + std::to_string(want_line) + ", got " +
                   show(f.encoding) + " on line " + std::to_string(f.cookie_line) + " in " + show(src));
    bool want_problem = has_bom && want_line != 0 && !ref_utf8_name(want_enc);
    FUZZ_CHECK(f.problem.empty() != want_problem, "a problem exactly for a BOM with a non-UTF-8 cookie: " +
                                                      show(f.problem) + " for " + show(src));

    // Only the first two lines count.
    wsgi::SourceFacts g = wsgi::inspect_source(src.substr(0, f.bom + end2));
    FUZZ_CHECK(g.encoding == f.encoding && g.cookie_line == f.cookie_line && g.bom == f.bom && g.problem == f.problem,
               "only the first two lines decide the encoding: " + show(src));

    for (std::size_t off : {std::size_t{0}, nul == std::string_view::npos ? size / 2 : nul, size, size + 7})
        check_line_col(src, off);
    if (size) check_line_col(src, static_cast<unsigned char>(src[0]) % size);
    return 0;
}
