// wsgi_options.cpp - pure parsing and naming rules (see wsgi_options.h).
#include "wsgi_options.h"

#include <apr_md5.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>

namespace wsgi {

std::string module_name_for(std::string_view path, bool case_sensitive)
{
    std::string key(path);
    if (!case_sensitive) {
        std::transform(key.begin(), key.end(), key.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    unsigned char digest[APR_MD5_DIGESTSIZE];
    apr_md5(digest, key.data(), key.size());
    static const char hex[] = "0123456789abcdef";
    std::string name = "_mod_wsgi_";
    name.reserve(name.size() + 2 * APR_MD5_DIGESTSIZE);
    for (unsigned char b : digest) {
        name += hex[b >> 4];
        name += hex[b & 0xf];
    }
    return name;
}

std::optional<bool> parse_on_off(std::string_view word)
{
    auto eq = [&](std::string_view w) {
        return word.size() == w.size() &&
               std::equal(word.begin(), word.end(), w.begin(), [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a)) == b;
               });
    };
    if (eq("on")) return true;
    if (eq("off")) return false;
    return std::nullopt;
}

std::string check_application_group(std::string_view spec)
{
    size_t pos = 0;
    while ((pos = spec.find("%{", pos)) != std::string_view::npos) {
        size_t end = spec.find('}', pos);
        if (end == std::string_view::npos)
            return "unterminated %{ in application group '" + std::string(spec) + "'";
        std::string_view var = spec.substr(pos + 2, end - pos - 2);
        if (var != "GLOBAL" && var != "SERVER" && var != "RESOURCE" &&
            !(var.starts_with("ENV:") && var.size() > 4))
            return "unknown variable %{" + std::string(var) +
                   "} in application group (expected %{GLOBAL}, %{SERVER}, %{RESOURCE} or %{ENV:name})";
        pos = end + 1;
    }
    return {};
}

std::string parse_alias_option(std::string_view word, AliasOptions& opts)
{
    size_t eq = word.find('=');
    if (eq == std::string_view::npos || eq == 0)
        return "expected name=value, got '" + std::string(word) + "'";
    std::string_view name = word.substr(0, eq);
    std::string value(word.substr(eq + 1));
    if (name == "callable-object") {
        if (value.empty()) return "callable-object= needs a name";
        opts.callable_object = value;
    } else if (name == "application-group") {
        if (auto err = check_application_group(value); !err.empty()) return err;
        opts.application_group = value;
    } else if (name == "process-group") {
        opts.process_group = value;
    } else if (name == "pass-authorization") {
        auto b = parse_on_off(value);
        if (!b) return "pass-authorization= takes On or Off, got '" + value + "'";
        opts.pass_authorization = *b;
    } else {
        return "unknown option '" + std::string(name) +
               "' (expected callable-object=, application-group=, process-group= or pass-authorization=)";
    }
    return {};
}

static std::string resource_of(const GroupContext& ctx)
{
    return ctx.server + "|" + ctx.script_name;
}

std::string expand_application_group(std::string_view spec, const GroupContext& ctx)
{
    if (spec == "%{GLOBAL}") return {};
    if (spec == "%{RESOURCE}") return resource_of(ctx);
    if (spec == "%{SERVER}") return ctx.server;
    std::string out;
    size_t pos = 0;
    while (pos < spec.size()) {
        size_t start = spec.find("%{", pos);
        if (start == std::string_view::npos) {
            out.append(spec.substr(pos));
            break;
        }
        out.append(spec.substr(pos, start - pos));
        size_t end = spec.find('}', start);
        if (end == std::string_view::npos) {
            out.append(spec.substr(start));
            break;
        }
        std::string_view var = spec.substr(start + 2, end - start - 2);
        if (var == "GLOBAL") {
        } else if (var == "SERVER") {
            out += ctx.server;
        } else if (var == "RESOURCE") {
            out += resource_of(ctx);
        } else if (var.starts_with("ENV:")) {
            std::optional<std::string> v = ctx.env ? ctx.env(var.substr(4)) : std::nullopt;
            if (v && !v->empty())
                out += *v;
            else if (spec.size() == end + 1 && start == 0)
                return resource_of(ctx);  // the whole spec was %{ENV:x} and x is unset
        } else {
            out.append(spec.substr(start, end - start + 1));
        }
        pos = end + 1;
    }
    return out;
}

bool valid_status_line(std::string_view status)
{
    if (status.size() < 5) return false;
    for (int i = 0; i < 3; ++i)
        if (!std::isdigit(static_cast<unsigned char>(status[i]))) return false;
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
    for (char ch : name) {
        unsigned char c = static_cast<unsigned char>(ch);
        if (!(std::isalnum(c) || (c && std::strchr("!#$%&'*+-.^_`|~", c)))) return false;
    }
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
