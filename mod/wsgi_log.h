// wsgi_log.h - numbered log tags of mod_wsgiscript.
//
// Every message above trace level starts with a tag "WSGISnnnn: " from this
// module's own namespace; docs/error-reference.md explains each one
// (severity, cause, outcome, what the operator should do).
#pragma once

#define WSGIS_LOGNO(n) "WSGIS" #n ": "

// 00xx startup and process, 01xx script loading, 02xx application output,
// 03xx pickle diagnostics, 04xx request/response handling, 05xx interpreters.
