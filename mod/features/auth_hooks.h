// auth_hooks.h - the Python half of mod_wsgi's authentication and access
// hooks: a hook script (WSGIAccessScript, WSGIAuthUserScript,
// WSGIAuthGroupScript) is loaded like a WSGI script (pipeline/scripts: the
// module _mod_wsgi_<md5 of its path>, reloaded when its mtime changes), one
// of its functions is called with a cut-down environ, and what it returns is
// checked and turned into a verdict for the glue (httpd/auth_hooks).
//
// Every failure — the script cannot be loaded, lacks the function, raises,
// or returns something of the wrong type — is logged (tagged, with the
// traceback when there is one) and gives Verdict::error: the glue answers
// 500, never grants access.
//
// Strings from the client (user name, password, realm, host) reach Python
// as str decoded as latin-1, one character per byte (as mod_wsgi 5.0.1 and
// later, and as every other environ value): any bytes are accepted.
//
// GIL held and the interpreter current for every function here.
#pragma once

#include "pipeline/scripts.h"

#include <apr_tables.h>

#include <string>
#include <vector>

namespace wsgi::auth_hooks {

// One call of a hook function, prepared by the glue.
struct HookCall {
    const char* directive = nullptr;        // "WSGIAuthUserScript"..., for messages
    const char* provider = nullptr;         // what needs the function, for messages ("AuthBasicProvider wsgi")
    std::string app_group;                  // interpreter name: mod_wsgi.application_group
    const apr_table_t* variables = nullptr; // the environ's CGI part (latin-1 bytes), in order
    int apache_version[3] = {0, 0, 0};      // environ['apache.version']
    void* apache_request = nullptr;         // WSGIPassApacheRequest On: environ['apache.request_rec'] (a capsule)
    ScriptLoad load;                        // the script, its mtime, reloading, where to log
};

enum class Verdict {
    granted,       // check_password True or a user name; allow_access True; groups listed
    denied,        // check_password False; allow_access False
    unknown,       // check_password/get_realm_hash None: no such user; allow_access None: no opinion
    error,         // logged; answer 500
};

// check_password(environ, user, password): True, False, None, or a user
// name (str, non-empty) that replaces the one the client sent (*user_out,
// UTF-8, as mod_wsgi).
Verdict check_password(Interpreter* in, const HookCall& call, const char* user, const char* password,
                       std::string* user_out);

// get_realm_hash(environ, user, realm): the hex MD5 of "user:realm:password"
// (str or bytes) into *hash (granted), or None (unknown).
Verdict get_realm_hash(Interpreter* in, const HookCall& call, const char* user, const char* realm,
                       std::string* hash);

// groups_for_user(environ, user): an iterable of group names (str,
// latin-1, or bytes) into *groups (granted). A str or bytes result itself
// (not a list) is refused: iterating it would make one group per character.
Verdict groups_for_user(Interpreter* in, const HookCall& call, const char* user, std::vector<std::string>* groups);

// allow_access(environ, host): True (granted), False (denied), None (unknown).
Verdict allow_access(Interpreter* in, const HookCall& call, const char* host);

}  // namespace wsgi::auth_hooks
