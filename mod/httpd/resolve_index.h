// resolve_index.h - WSGIPickleResolve's glue: which scripts this
// configuration can serve (the places of core/script_index, read from the
// directives and Apache's own sections), the index built from them in the
// Apache parent before any child or daemon process forks, kept current by
// the parent's monitor hook, and the manifest of WSGIScriptManifest.
//
// Places come from every server (main, virtual hosts) with WSGIPickleResolve
// On: WSGIScriptAlias and WSGIScriptAliasMatch targets, WSGIImportScript
// files, and <Directory> sections (or a server's DocumentRoot) where
// SetHandler/AddHandler name wsgi-script, for directories a URL reaches
// (a DocumentRoot or an Alias target) and where ExecCGI is on. What is left
// out, and why, is logged (WSGIS0329) at start.
//
// Pools: everything read from the configuration lives in pconf; the index
// and places are C++ values (strings) the features layer holds.
#pragma once

#include "base/httpd.h"

namespace wsgi {

// post_config (first hook of the module's, before the daemon processes
// start) and monitor hooks.
void register_resolve_hooks();

// Some server has WSGIPickleResolve On.
bool pickle_resolve_anywhere(server_rec* main);

}  // namespace wsgi
