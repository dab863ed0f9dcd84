// options.h - directive options, application group names and script module
// names: pure rules, no httpd and no Python.
//
// Kept apart from the glue so tests/unit can check them directly.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace wsgi {

// mod_wsgi's module name for a script: "_mod_wsgi_" + md5 hex of the absolute
// path (lower-cased first when the file system is case-insensitive).
std::string module_name_for(std::string_view path, bool case_sensitive = true);

// The name=value options that may follow WSGIScriptAlias/WSGIImportScript.
struct AliasOptions {
    std::optional<std::string> callable_object;
    std::optional<std::string> application_group;
    std::optional<std::string> process_group;
    std::optional<bool> pass_authorization;
};

// Parse one "name=value" word into opts. Returns an empty string on success,
// else the message to show at config time.
std::string parse_alias_option(std::string_view word, AliasOptions& opts);

// "On"/"Off" in any case.
std::optional<bool> parse_on_off(std::string_view word);

// What an application group name is expanded against.
struct GroupContext {
    std::string server;       // "host" or "host:port" (port kept unless 80/443)
    std::string script_name;  // SCRIPT_NAME of the request
    std::function<std::optional<std::string>(std::string_view)> env;  // %{ENV:x}
};

// Expand %{GLOBAL} (""), %{SERVER}, %{RESOURCE} ("server|script_name") and
// %{ENV:name} (empty variable: falls back to %{RESOURCE}, like mod_wsgi) in a
// WSGIApplicationGroup value. Other text is kept as written.
std::string expand_application_group(std::string_view spec, const GroupContext& ctx);

// A check of an application-group value at config time ("" when valid).
std::string check_application_group(std::string_view spec);

}  // namespace wsgi
