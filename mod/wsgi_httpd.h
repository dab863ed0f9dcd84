// wsgi_httpd.h - the httpd/APR headers every glue file needs, the module
// declaration and APLOG_USE_MODULE, in one place.
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

#include "wsgi_log.h"

extern "C" {
extern module AP_MODULE_DECLARE_DATA wsgiscript_module;
}

#ifdef APLOG_USE_MODULE
APLOG_USE_MODULE(wsgiscript);
#endif
