// fuzz_alias_rules: how a WSGIScriptAlias URL matches a client's URI and
// which SCRIPT_NAME names a script (core/alias_rules.h, core/text.h):
// mount_match, normalized_script_name, alias_script_name, ascii_lower.
//
// Input: up to three fields split at the first two '\n': A, B, C.
//   mount_match(A, B) and mount_match(B, A): A as the alias URL, B as the
//   request URI (and the other way round);
//   normalized_script_name(A), (B), (C) and of the whole input;
//   alias_script_name(A, B, C): location A, target B, filename C;
//   ascii_lower of the whole input.
//
// Properties:
// - mount_match, with M the mount without its trailing slashes and with each
//   run of slashes as one: the length k of the URI's prefix that reads as M
//   when its slash runs are read as one, and that ends the URI or is
//   followed by '/'; -1 when there is none. What is left of the URI
//   (PATH_INFO) is empty or starts with '/';
// - normalized_script_name is the reference (slash runs merged, trailing
//   slashes dropped, ASCII letters lower-cased); its output has no "//",
//   no trailing '/', no ASCII capital, is never longer than its input, and
//   normalizing it again changes nothing;
// - alias_script_name is the normalized location, plus '/' and the
//   filename's part past the target when the filename is longer and starts
//   with the target;
// - ascii_lower changes A-Z to a-z and nothing else.
#include "core/alias_rules.h"
#include "core/text.h"

#include "fuzz_check.h"

namespace {

using fuzz::show;

std::string ref_lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string ref_normalized(std::string_view raw)
{
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '/' && i > 0 && raw[i - 1] == '/') continue;  // a run of slashes: the first only
        out += raw[i];
    }
    while (!out.empty() && out.back() == '/') out.pop_back();
    return ref_lower(out);
}

// s with every run of slashes as one slash.
std::string squeeze_slashes(std::string_view s)
{
    std::string out;
    for (char c : s)
        if (!(c == '/' && !out.empty() && out.back() == '/')) out += c;
    return out;
}

void check_mount(std::string_view mount, std::string_view uri)
{
    long got = wsgi::mount_match(mount, uri);
    std::size_t m = mount.size();
    while (m > 0 && mount[m - 1] == '/') --m;
    const std::string want_prefix = squeeze_slashes(mount.substr(0, m));
    // The prefixes of uri, squeezed as they grow: the one that reads as the
    // mount (there is at most one that does not end in '/').
    long want = -1;
    std::string squeezed;
    for (std::size_t k = 0; k <= uri.size(); ++k) {
        if (k > 0 && !(uri[k - 1] == '/' && !squeezed.empty() && squeezed.back() == '/')) squeezed += uri[k - 1];
        if (squeezed.size() > want_prefix.size()) break;
        if (squeezed == want_prefix && (k == uri.size() || uri[k] == '/') && (k == 0 || uri[k - 1] != '/' || m == 0)) {
            want = static_cast<long>(k);
            break;
        }
    }
    FUZZ_CHECK(got == want, "mount_match(" + show(mount) + ", " + show(uri) + ") is " + std::to_string(got) +
                                ", expected " + std::to_string(want));
    if (got >= 0) {
        std::string_view path_info = uri.substr(static_cast<std::size_t>(got));
        FUZZ_CHECK(path_info.empty() || path_info.front() == '/',
                   "PATH_INFO left by a match is empty or starts with '/': " + show(path_info));
    }
}

void check_normalized(std::string_view raw)
{
    std::string got = wsgi::normalized_script_name(raw);
    FUZZ_CHECK(got == ref_normalized(raw), "normalized_script_name(" + show(raw) + ") is " + show(got) +
                                               ", expected " + show(ref_normalized(raw)));
    FUZZ_CHECK(got.find("//") == std::string::npos && (got.empty() || got.back() != '/') && got.size() <= raw.size(),
               "a normalized name has no // and no trailing /: " + show(got));
    for (char c : got) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'), "a normalized name has no capital: " + show(got));
    FUZZ_CHECK(wsgi::normalized_script_name(got) == got, "normalizing twice changes nothing: " + show(got));
}

void check_alias(std::string_view location, std::string_view target, std::string_view filename)
{
    std::string raw(location);
    if (filename.size() > target.size() && filename.substr(0, target.size()) == target) {
        raw += '/';
        raw += filename.substr(target.size());
    }
    std::string got = wsgi::alias_script_name(location, target, filename), want = ref_normalized(raw);
    FUZZ_CHECK(got == want, "alias_script_name(" + show(location) + ", " + show(target) + ", " + show(filename) +
                                ") is " + show(got) + ", expected " + show(want));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::size_t n1 = in.find('\n');
    std::string_view a = in.substr(0, n1), rest = n1 == std::string_view::npos ? std::string_view() : in.substr(n1 + 1);
    std::size_t n2 = rest.find('\n');
    std::string_view b = rest.substr(0, n2), c = n2 == std::string_view::npos ? std::string_view() : rest.substr(n2 + 1);

    check_mount(a, b);
    check_mount(b, a);
    for (std::string_view s : {a, b, c, in}) check_normalized(s);
    check_alias(a, b, c);
    FUZZ_CHECK(wsgi::ascii_lower(in) == ref_lower(in), "ascii_lower(" + show(in) + ")");
    return 0;
}
