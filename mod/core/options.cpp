// options.cpp - see options.h.
#include "core/options.h"

#include "core/text.h"

#include <apr_md5.h>

#include <algorithm>
#include <cctype>

namespace wsgi {

std::string module_name_for(std::string_view path, bool case_sensitive)
{
    std::string key = case_sensitive ? std::string(path) : ascii_lower(path);
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
    std::string w = ascii_lower(word);
    if (w == "on") return true;
    if (w == "off") return false;
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

}  // namespace wsgi
