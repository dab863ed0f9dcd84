// fuzz_http_rules: what start_response() lets through to the client
// (core/http_rules.h): valid_status_line, valid_header_name,
// valid_header_value, parse_content_length.
//
// Input: bytes, tried whole by every function; when they contain ':' they
// are also tried as a header line "name:value" (the parts around the first
// ':', the value without leading spaces and tabs), as an application hands
// them over in (name, value) pairs.
//
// Properties, each against a reference written from the header and the RFC,
// plus the safety facts that matter on the wire:
// - a status line is three digits (the first 1-9), a space and at least one
//   byte of reason, no control byte (0x00-0x1f, 0x7f): so never CR, LF or NUL;
// - a header name is a non-empty RFC 9110 token (ASCII letters, digits and
//   !#$%&'*+-.^_`|~): never ':', space, a control or a non-ASCII byte;
// - a header value has no control byte but tab: never CR, LF or NUL;
// - parse_content_length accepts exactly 1*DIGIT whose value is at most
//   2^63-1 (RFC 9110's Content-Length, leading zeros included) and returns
//   that value.
#include "core/http_rules.h"

#include "fuzz_check.h"

#include <climits>

namespace {

using fuzz::show;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ctl(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool ref_status(std::string_view s)
{
    if (s.size() < 5) return false;
    if (s[0] < '1' || s[0] > '9' || !is_digit(s[1]) || !is_digit(s[2]) || s[3] != ' ') return false;
    for (std::size_t i = 4; i < s.size(); ++i)
        if (is_ctl(static_cast<unsigned char>(s[i]))) return false;
    return true;
}

bool ref_token(std::string_view s)
{
    if (s.empty()) return false;
    static constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
    for (char c : s) {
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alpha && !is_digit(c) && extra.find(c) == std::string_view::npos) return false;
    }
    return true;
}

bool ref_value(std::string_view s)
{
    for (char ch : s) {
        unsigned char c = static_cast<unsigned char>(ch);
        if (is_ctl(c) && c != '\t') return false;
    }
    return true;
}

std::optional<long long> ref_content_length(std::string_view s)
{
    if (s.empty()) return std::nullopt;
    for (char c : s)
        if (!is_digit(c)) return std::nullopt;
    std::size_t first = s.find_first_not_of('0');
    if (first == std::string_view::npos) return 0;
    std::string_view digits = s.substr(first);
    static constexpr std::string_view max = "9223372036854775807";  // LLONG_MAX
    if (digits.size() > max.size() || (digits.size() == max.size() && digits > max)) return std::nullopt;
    long long n = 0;
    for (char c : digits) n = n * 10 + (c - '0');
    return n;
}

bool has_cr_lf_nul(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != s.npos; }

void check_name(std::string_view s)
{
    bool ok = wsgi::valid_header_name(s);
    FUZZ_CHECK(ok == ref_token(s), "valid_header_name of " + show(s) + " is " + (ok ? "true" : "false"));
    if (ok)
        FUZZ_CHECK(s.find_first_of(std::string_view(":\r\n\0 \t", 6)) == s.npos,
                   "an accepted header name has no ':', space or line break: " + show(s));
}

void check_value(std::string_view s)
{
    bool ok = wsgi::valid_header_value(s);
    FUZZ_CHECK(ok == ref_value(s), "valid_header_value of " + show(s) + " is " + (ok ? "true" : "false"));
    if (ok) FUZZ_CHECK(!has_cr_lf_nul(s), "an accepted header value has no CR, LF or NUL: " + show(s));
}

void check_content_length(std::string_view s)
{
    std::optional<long long> got = wsgi::parse_content_length(s), want = ref_content_length(s);
    FUZZ_CHECK(got == want, "parse_content_length of " + show(s) + " is " +
                                (got ? std::to_string(*got) : "rejected") + ", expected " +
                                (want ? std::to_string(*want) : "rejected"));
    if (got) FUZZ_CHECK(*got >= 0, "a Content-Length is not negative: " + show(s));
}

void check_all(std::string_view s)
{
    bool status = wsgi::valid_status_line(s);
    FUZZ_CHECK(status == ref_status(s), "valid_status_line of " + show(s) + " is " + (status ? "true" : "false"));
    if (status) FUZZ_CHECK(!has_cr_lf_nul(s), "an accepted status line has no CR, LF or NUL: " + show(s));
    check_name(s);
    check_value(s);
    check_content_length(s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
    check_all(in);
    std::size_t colon = in.find(':');
    if (colon != std::string_view::npos) {
        std::string_view name = in.substr(0, colon), value = in.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        check_name(name);
        check_value(value);
        check_content_length(value);
    }
    return 0;
}
