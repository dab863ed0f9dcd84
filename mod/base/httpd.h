// httpd.h - the httpd/APR headers every glue file needs, in the order they
// must come, the module declaration and APLOG_USE_MODULE, in one place.
//
// Every line the module logs above trace level starts with a tag
// "WSGISnnnn: " from this module's own namespace (base/log.h writes them);
// docs/error-reference.md explains each one. 00xx start-up and process,
// 01xx script loading, 02xx application output, 03xx pickle diagnostics,
// 04xx request and response, 05xx interpreters.
#pragma once

// Python.h must come first: it defines feature macros that system headers
// pulled in by httpd would otherwise fix differently.
#include <Python.h>

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <ap_mpm.h>
#include <apr_strings.h>
#include <util_script.h>

extern "C" {
extern module AP_MODULE_DECLARE_DATA wsgiscript_module;
}

#ifdef APLOG_USE_MODULE
APLOG_USE_MODULE(wsgiscript);
#endif
