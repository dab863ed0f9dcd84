// auth_hooks.cpp - see auth_hooks.h.
#include "features/auth_hooks.h"

#include "base/py_error.h"
#include "core/hook_rules.h"
#include "pipeline/environ.h"
#include "pipeline/environ_cache.h"
#include "pipeline/log_stream.h"

#include <cstring>
#include <initializer_list>
#include <string_view>

namespace wsgi::auth_hooks {

namespace {

PyRef latin1(const char* s) { return latin1_str(s, strlen(s)); }

bool put(PyObject* d, const char* key, const PyRef& value)
{
    return value && PyDict_SetItemString(d, key, value.get()) == 0;
}

// The environ a hook gets: the glue's variables (latin-1), then what
// mod_wsgi adds. No wsgi.input, no SetEnv values (a .htaccess could
// otherwise steer the hook), no Authorization header.
PyRef hook_environ(const HookCall& c, PyObject* errors)
{
    PyRef env = PyRef::steal(PyDict_New());
    if (!env) return {};
    PyObject* d = env.get();
    const apr_array_header_t* arr = apr_table_elts(c.variables);
    const auto* elts = reinterpret_cast<const apr_table_entry_t*>(arr->elts);
    for (int i = 0; i < arr->nelts; ++i) {
        if (!elts[i].key) continue;
        PyRef key = latin1(elts[i].key);
        PyRef value = latin1(elts[i].val ? elts[i].val : "");
        if (!key || !value || PyDict_SetItem(d, key.get(), value.get()) < 0) return {};
    }
    const int* v = c.apache_version;
    if (!put(d, "apache.version", PyRef::steal(Py_BuildValue("(iii)", v[0], v[1], v[2]))) ||
        !put(d, "mod_wsgi.version",
             PyRef::steal(Py_BuildValue("(iii)", kModWsgiVersion[0], kModWsgiVersion[1], kModWsgiVersion[2]))) ||
        !put(d, "mod_wsgi.process_group", latin1("")) ||
        !put(d, "mod_wsgi.application_group", latin1_str(c.app_group.data(), c.app_group.size())) ||
        !put(d, "mod_wsgi.script_reloading", PyRef::steal(PyLong_FromLong(c.load.reloading ? 1 : 0))) ||
        !put(d, "wsgi.errors", PyRef::borrow(errors)))
        return {};
    if (c.apache_request &&
        !put(d, "apache.request_rec", PyRef::steal(PyCapsule_New(c.apache_request, nullptr, nullptr))))
        return {};
    return env;
}

// wsgi.errors of one hook call, cut loose from the request when the call
// ends (a hook that keeps it writes to the server's log afterwards).
struct ErrorStream {
    explicit ErrorStream(const LogTarget& log)
        : stream(PyRef::steal(request_log_stream(log, APLOG_ERR, "wsgi.errors")))
    {
    }
    ~ErrorStream()
    {
        if (stream) log_stream_detach(stream.get());
    }
    ErrorStream(const ErrorStream&) = delete;
    ErrorStream& operator=(const ErrorStream&) = delete;
    PyRef stream;
};

// "check_password() of WSGIAuthUserScript '/path'", for messages.
std::string where(const HookCall& c, const char* function)
{
    return std::string(function) + "() of " + c.directive + " '" + c.load.path + "'";
}

// mod_wsgi's words for a script that lacks the hook's function.
std::string lacks(const HookCall& c, const char* function)
{
    std::string_view f = function;
    const char* kind = f == "groups_for_user" ? "group authentication"
                       : f == "allow_access"  ? "host access"
                                              : "user authentication";
    const char* provides = f == "check_password"    ? "'Basic' auth provider"
                           : f == "get_realm_hash"  ? "'Digest' auth provider"
                           : f == "groups_for_user" ? "group provider"
                                                    : "host validator";
    return std::string("Target WSGI ") + kind + " script '" + c.load.path + "' does not provide " + provides +
           " (no " + function + "() for " + c.provider + ")";
}

// Load (or reload) the script, find `function` in it and call it with the
// environ and `args`. The result (new reference), or empty with the reason
// logged.
PyRef call(Interpreter* in, const HookCall& c, const char* function, std::initializer_list<const char*> args)
{
    int status = 0;
    PyRef module = load_script(in, c.load, &status);  // logs its own failures (01xx tags)
    if (!module) return {};
    PyObject* f = PyDict_GetItemString(PyModule_GetDict(module.get()), function);  // borrowed
    if (!f) {
        if (PyErr_Occurred()) PyErr_Clear();
        log_line(c.load.log, APLOG_ERR, "WSGIS0702", lacks(c, function));
        return {};
    }
    PyRef func = PyRef::borrow(f);
    module.reset();

    ErrorStream errors(c.load.log);
    PyRef env = errors.stream ? hook_environ(c, errors.stream.get()) : PyRef();
    if (!env) {
        log_exception(c.load.log, APLOG_ERR, "WSGIS0703",
                      "Exception occurred processing WSGI script '" + std::string(c.load.path) +
                          "' (building the environ for " + where(c, function) + ")");
        return {};
    }
    PyObject* argv[4] = {env.get(), nullptr, nullptr, nullptr};
    std::vector<PyRef> strs;
    strs.reserve(args.size());
    size_t n = 1;
    for (const char* a : args) {
        strs.push_back(latin1(a ? a : ""));
        if (!strs.back()) {
            log_exception(c.load.log, APLOG_ERR, "WSGIS0703",
                          "Exception occurred processing WSGI script '" + std::string(c.load.path) +
                              "' (the arguments of " + where(c, function) + ")");
            return {};
        }
        argv[n++] = strs.back().get();
    }
    PyRef result = PyRef::steal(PyObject_Vectorcall(func.get(), argv, n, nullptr));
    if (!result)
        log_exception(c.load.log, APLOG_ERR, "WSGIS0703",
                      "Exception occurred processing WSGI script '" + std::string(c.load.path) + "' (" + function +
                          "() of " + c.directive + " raised); traceback follows");
    return result;
}

// WSGIS0704: `rule` (mod_wsgi's words), then which function returned what.
void wrong_result(const HookCall& c, const char* function, const char* rule, const std::string& got)
{
    log_fmt(c.load.log, APLOG_ERR, "WSGIS0704", "%s: %s returned %s", rule, where(c, function).c_str(), got.c_str());
}

std::string type_of(PyObject* o) { return std::string("a value of type ") + Py_TYPE(o)->tp_name; }

// The bytes of a str encoded as `latin-1` or `utf-8`, or of bytes as they
// are; false (the Python error cleared) when it cannot be encoded.
bool bytes_of(PyObject* o, bool utf8, std::string* out)
{
    if (PyBytes_Check(o)) {
        out->assign(PyBytes_AS_STRING(o), static_cast<size_t>(PyBytes_GET_SIZE(o)));
        return true;
    }
    PyRef b = PyRef::steal(utf8 ? PyUnicode_AsUTF8String(o) : PyUnicode_AsLatin1String(o));
    if (!b) {
        PyErr_Clear();
        return false;
    }
    out->assign(PyBytes_AS_STRING(b.get()), static_cast<size_t>(PyBytes_GET_SIZE(b.get())));
    return true;
}

}  // namespace

Verdict check_password(Interpreter* in, const HookCall& c, const char* user, const char* password,
                       std::string* user_out)
{
    static const char kFn[] = "check_password";
    static const char kRule[] = "Basic auth provider must return True, False, None or user name as string";
    PyRef r = call(in, c, kFn, {user, password});
    if (!r) return Verdict::error;
    PyObject* o = r.get();
    if (o == Py_True) return Verdict::granted;
    if (o == Py_False) return Verdict::denied;
    if (o == Py_None) return Verdict::unknown;
    if (!PyUnicode_Check(o)) {
        wrong_result(c, kFn, kRule, type_of(o));
        return Verdict::error;
    }
    std::string name;
    if (!bytes_of(o, true, &name)) {
        wrong_result(c, kFn, kRule, "a user name that cannot be encoded as UTF-8");
        return Verdict::error;
    }
    if (name.empty()) {
        wrong_result(c, kFn, "Basic auth provider returned empty user name string", "''");
        return Verdict::error;
    }
    if (!usable_c_string(name)) {
        wrong_result(c, kFn, kRule, "a user name with a NUL character");
        return Verdict::error;
    }
    *user_out = std::move(name);
    return Verdict::granted;
}

Verdict get_realm_hash(Interpreter* in, const HookCall& c, const char* user, const char* realm, std::string* hash)
{
    static const char kFn[] = "get_realm_hash";
    static const char kRule[] = "Digest auth provider must return None or string object";
    PyRef r = call(in, c, kFn, {user, realm});
    if (!r) return Verdict::error;
    PyObject* o = r.get();
    if (o == Py_None) return Verdict::unknown;
    if (!PyUnicode_Check(o) && !PyBytes_Check(o)) {
        wrong_result(c, kFn, kRule, type_of(o) + " (expected the hex MD5 digest of 'user:realm:password')");
        return Verdict::error;
    }
    if (!bytes_of(o, false, hash)) {
        wrong_result(c, kFn, "Digest auth provider must return None or string object, value containing non "
                             "'latin-1' characters found",
                     "such a str");
        return Verdict::error;
    }
    if (hash->empty()) {
        wrong_result(c, kFn, "Digest auth provider returned empty realm hash", "''");
        return Verdict::error;
    }
    if (!usable_c_string(*hash)) {
        wrong_result(c, kFn, kRule, "a digest with a NUL character");
        return Verdict::error;
    }
    return Verdict::granted;
}

Verdict groups_for_user(Interpreter* in, const HookCall& c, const char* user, std::vector<std::string>* groups)
{
    static const char kFn[] = "groups_for_user";
    PyRef r = call(in, c, kFn, {user});
    if (!r) return Verdict::error;
    std::string in_script = std::string("'groups_for_user' in '") + c.load.path + "'";
    if (PyUnicode_Check(r.get()) || PyBytes_Check(r.get())) {
        log_fmt(c.load.log, APLOG_ERR, "WSGIS0704",
                "Result returned from %s is a single %s; expected an iterable sequence of strings (a string would "
                "be one group per character)",
                in_script.c_str(), Py_TYPE(r.get())->tp_name);
        return Verdict::error;
    }
    PyRef it = PyRef::steal(PyObject_GetIter(r.get()));
    if (!it) {
        PyErr_Clear();
        log_fmt(c.load.log, APLOG_ERR, "WSGIS0704",
                "Result returned from %s is not iterable; expected an iterable sequence of strings (got %s)",
                in_script.c_str(), type_of(r.get()).c_str());
        return Verdict::error;
    }
    while (PyRef item = PyRef::steal(PyIter_Next(it.get()))) {
        std::string name;
        if (!PyUnicode_Check(item.get()) && !PyBytes_Check(item.get())) {
            log_fmt(c.load.log, APLOG_ERR, "WSGIS0704",
                    "Item returned from %s is not a byte string or a string (got %s)", in_script.c_str(),
                    type_of(item.get()).c_str());
            return Verdict::error;
        }
        if (!bytes_of(item.get(), false, &name)) {
            log_fmt(c.load.log, APLOG_ERR, "WSGIS0704",
                    "Item returned from %s is a string containing characters that cannot be encoded as latin-1; "
                    "expected a byte string",
                    in_script.c_str());
            return Verdict::error;
        }
        groups->push_back(std::move(name));
    }
    if (PyErr_Occurred()) {
        log_exception(c.load.log, APLOG_ERR, "WSGIS0703",
                      "Exception occurred processing WSGI script '" + std::string(c.load.path) +
                          "' (iterating what groups_for_user() of " + c.directive + " returned); traceback follows");
        return Verdict::error;
    }
    return Verdict::granted;
}

Verdict allow_access(Interpreter* in, const HookCall& c, const char* host)
{
    static const char kFn[] = "allow_access";
    PyRef r = call(in, c, kFn, {host});
    if (!r) return Verdict::error;
    if (r.get() == Py_True) return Verdict::granted;
    if (r.get() == Py_False) return Verdict::denied;
    if (r.get() == Py_None) return Verdict::unknown;
    log_fmt(c.load.log, APLOG_ERR, "WSGIS0704",
            "Result returned from 'allow_access' in '%s' must be a boolean or None (got %s)", c.load.path,
            type_of(r.get()).c_str());
    return Verdict::error;
}

}  // namespace wsgi::auth_hooks
