// alias_rules.h - how a WSGIScriptAlias URL matches a request and which
// SCRIPT_NAME names the script in %{RESOURCE}: pure rules, no httpd, no Python.
#pragma once

#include <string>
#include <string_view>

namespace wsgi {

// "/app" matches "/app" and "/app/..." (a trailing slash of the mount is
// ignored; a run of slashes matches a run of slashes, so "//app" matches
// "/app", as in mod_wsgi); "/" matches everything. The length of uri the mount consumed,
// or -1 when it does not match.
long mount_match(std::string_view mount, std::string_view uri);

// One spelling per script name, as mod_wsgi puts it in %{RESOURCE}:
// lower-cased, runs of slashes merged, no trailing slash.
std::string normalized_script_name(std::string_view raw);

// SCRIPT_NAME of a script reached through a WSGIScriptAlias: the alias's
// configured URL, plus the file's path below the target when the target is
// a directory (filename longer than target), normalized. Never from the
// URL a client wrote.
std::string alias_script_name(std::string_view location, std::string_view target, std::string_view filename);

}  // namespace wsgi
