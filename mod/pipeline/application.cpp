// application.cpp - see application.h.
#include "pipeline/application.h"

#include "pipeline/response.h"

#include <string>

namespace wsgi {

int serve_request(Interpreter* in, Transport& t, const RequestSettings& rs, const ScriptLoad& load)
{
    int status = HTTP_INTERNAL_SERVER_ERROR;
    PyRef module = load_script(in, load, &status);
    if (!module) return status;
    PyRef name = in->state<EnvironState>().cache.callable.get(rs.callable, strlen(rs.callable));
    PyRef app = name ? PyRef::steal(PyObject_GetAttr(module.get(), name.get())) : PyRef();
    if (!app) {
        PyErr_Clear();
        log_line(t.log_target(), APLOG_ERR, "WSGIS0105",
                 std::string("Target WSGI script '") + rs.script_path + "' does not contain WSGI application '" +
                     rs.callable + "'");
        return HTTP_NOT_FOUND;  // mod_wsgi's answer
    }
    module.reset();
    return run_application(in, t, app.get(), rs);
}

}  // namespace wsgi
