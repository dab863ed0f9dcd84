// hook_rules.h - pure rules of the authentication and access hook scripts
// (WSGIAccessScript, WSGIAuthUserScript, WSGIAuthGroupScript): their
// options, which application groups they may name, and the environ names
// of request headers. No httpd and no Python (unit tested).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wsgi {

// The options that may follow the script path of a hook directive.
struct HookScriptOptions {
    std::optional<std::string> application_group;
};

// Parse one "name=value" word into opts: "" on success, else the message
// to show at config time. Only application-group= exists (as in mod_wsgi).
std::string parse_hook_option(std::string_view word, HookScriptOptions& opts);

// The application group a hook script may run in ("" when valid): a literal
// name, %{GLOBAL} or %{SERVER} — names the configuration fixes. mod_wsgi's
// %{HOST} is refused (the client's Host header would choose, and so create,
// interpreters), and so are %{RESOURCE} and %{ENV:...}, which mod_wsgi does
// not expand for these scripts (it would take them as literal names).
std::string check_hook_group(std::string_view spec);

// The interpreter name of a checked spec: %{GLOBAL} is "", %{SERVER} is
// `server` ("host" or "host:port"), a literal name itself.
std::string hook_group_name(std::string_view spec, std::string_view server);

// mod_wsgi's environ name of a request header for the hooks: "HTTP_" +
// upper-cased name with '-' as '_'; empty when the name has any other
// character than letters, digits and '-' (such a header is left out).
std::string hook_header_env_name(std::string_view header);

// A user name, group name or digest a hook returns must be non-empty and
// free of NUL characters (httpd keeps them as C strings).
bool usable_c_string(std::string_view s);

}  // namespace wsgi
