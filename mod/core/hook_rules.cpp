// hook_rules.cpp - see hook_rules.h.
#include "core/hook_rules.h"

namespace wsgi {

std::string parse_hook_option(std::string_view word, HookScriptOptions& opts)
{
    size_t eq = word.find('=');
    if (eq == std::string_view::npos || eq == 0) return "expected name=value, got '" + std::string(word) + "'";
    std::string_view name = word.substr(0, eq);
    std::string value(word.substr(eq + 1));
    if (name != "application-group")
        return "unknown option '" + std::string(name) + "' (only application-group= applies here)";
    if (value.empty()) return "application-group= needs a name";
    if (std::string err = check_hook_group(value); !err.empty()) return err;
    opts.application_group = value;
    return {};
}

std::string check_hook_group(std::string_view spec)
{
    if (spec == "%{GLOBAL}" || spec == "%{SERVER}") return {};
    if (spec == "%{HOST}")
        return "application-group=%{HOST} is refused: the client's Host header would choose the interpreter "
               "(one new interpreter per name a client sends); name the group, or use %{SERVER}";
    if (spec.find("%{") != std::string_view::npos)
        return "application-group '" + std::string(spec) +
               "': a hook script's group must be a name, %{GLOBAL} or %{SERVER} (mod_wsgi expands nothing else "
               "for these scripts)";
    return {};
}

std::string hook_group_name(std::string_view spec, std::string_view server)
{
    if (spec == "%{GLOBAL}") return {};
    if (spec == "%{SERVER}") return std::string(server);
    return std::string(spec);
}

std::string hook_header_env_name(std::string_view header)
{
    std::string out = "HTTP_";
    out.reserve(5 + header.size());
    for (char c : header) {
        if (c >= 'a' && c <= 'z')
            out += static_cast<char>(c - 'a' + 'A');
        else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            out += c;
        else if (c == '-')
            out += '_';
        else
            return {};
    }
    return header.empty() ? std::string() : out;
}

bool usable_c_string(std::string_view s) { return !s.empty() && s.find('\0') == std::string_view::npos; }

}  // namespace wsgi
