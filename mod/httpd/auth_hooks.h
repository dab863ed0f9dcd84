// auth_hooks.h - the httpd side of mod_wsgi's authentication and access
// hooks: the authentication provider "wsgi" (AuthBasicProvider wsgi:
// check_password; AuthDigestProvider wsgi: get_realm_hash) over
// WSGIAuthUserScript, the authorization provider "wsgi-group"
// (Require wsgi-group NAME...) over WSGIAuthGroupScript, and the host
// access check (the access_checker phase) over WSGIAccessScript.
//
// The hook scripts always run in this Apache child, in its embedded
// interpreters (also when the application itself is delegated to a daemon
// process group, and under WSGIRestrictEmbedded On), as in mod_wsgi. The
// Python half is features/auth_hooks.h.
//
// Every hook runs inside hook_entry (base/boundary.h). Python is entered
// only after the script was stat()ed and the environ's variables were
// collected (in r->pool), with a RequestScope so that print() in a hook
// logs against its request.
#pragma once

#include "base/httpd.h"

namespace wsgi {

// The providers and the access checker (from register_hooks; `p` is pconf).
void register_auth_hooks(apr_pool_t* p);

}  // namespace wsgi
