// auth_hooks.cpp - see auth_hooks.h.
#include "features/auth_hooks.h"

#include "base/py_error.h"
#include "core/hook_rules.h"
#include "pipeline/environ.h"
#include "pipeline/environ_cache.h"
#include "pipeline/log_stream.h"

#include <cstring>

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

std::string where(const HookCall& c, const char* function)
{
    return std::string(function) + "() of " + c.directive + " '" + c.load.path + "'";
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
        log_fmt(c.load.log, APLOG_ERR, "WSGIS0702", "%s '%s' does not define %s(), which %s needs",
                c.directive, c.load.path, function, c.provider);
        return {};
    }
    PyRef func = PyRef::borrow(f);
    module.reset();

    ErrorStream errors(c.load.log);
    PyRef env = errors.stream ? hook_environ(c, errors.stream.get()) : PyRef();
    if (!env) {
        log_exception(c.load.log, APLOG_ERR, "WSGIS0703", "building the environ for " + where(c, function) + " failed");
        return {};
    }
    PyObject* argv[4] = {env.get(), nullptr, nullptr, nullptr};
    std::vector<PyRef> strs;
    size_t n = 1;
    for (const char* a : args) {
        strs.push_back(latin1(a ? a : ""));
        if (!strs.back()) {
            log_exception(c.load.log, APLOG_ERR, "WSGIS0703", "the arguments of " + where(c, function) + " failed");
            return {};
        }
        argv[n++] = strs.back().get();
    }
    PyRef result = PyRef::steal(PyObject_Vectorcall(func.get(), argv, n, nullptr));
    if (!result)
        log_exception(c.load.log, APLOG_ERR, "WSGIS0703",
                      "exception raised by " + where(c, function) + "; traceback follows");
    return result;
}

void wrong_result(const HookCall& c, const char* function, PyObject* result, const char* expected)
{
    log_fmt(c.load.log, APLOG_ERR, "WSGIS0704", "%s returned %.100s; expected %s", where(c, function).c_str(),
            Py_TYPE(result)->tp_name, expected);
}

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
    PyRef r = call(in, c, kFn, {user, password});
    if (!r) return Verdict::error;
    PyObject* o = r.get();
    if (o == Py_True) return Verdict::granted;
    if (o == Py_False) return Verdict::denied;
    if (o == Py_None) return Verdict::unknown;
    if (PyUnicode_Check(o)) {
        std::string name;
        if (!bytes_of(o, true, &name)) {
            log_fmt(c.load.log, APLOG_ERR, "WSGIS0704", "%s returned a user name that cannot be encoded as UTF-8",
                    where(c, kFn).c_str());
            return Verdict::error;
        }
        if (!usable_c_string(name)) {
            log_fmt(c.load.log, APLOG_ERR, "WSGIS0704", "%s returned %s user name", where(c, kFn).c_str(),
                    name.empty() ? "an empty" : "a NUL character in its");
            return Verdict::error;
        }
        *user_out = std::move(name);
        return Verdict::granted;
    }
    wrong_result(c, kFn, o, "True, False, None or a user name (str)");
    return Verdict::error;
}

Verdict get_realm_hash(Interpreter* in, const HookCall& c, const char* user, const char* realm, std::string* hash)
{
    static const char kFn[] = "get_realm_hash";
    PyRef r = call(in, c, kFn, {user, realm});
    if (!r) return Verdict::error;
    PyObject* o = r.get();
    if (o == Py_None) return Verdict::unknown;
    if (!PyUnicode_Check(o) && !PyBytes_Check(o)) {
        wrong_result(c, kFn, o, "None or the hex MD5 digest of 'user:realm:password' (str or bytes)");
        return Verdict::error;
    }
    if (!bytes_of(o, false, hash)) {
        log_fmt(c.load.log, APLOG_ERR, "WSGIS0704", "%s returned a str with characters outside latin-1",
                where(c, kFn).c_str());
        return Verdict::error;
    }
    if (!usable_c_string(*hash)) {
        log_fmt(c.load.log, APLOG_ERR, "WSGIS0704", "%s returned %s", where(c, kFn).c_str(),
                hash->empty() ? "an empty digest" : "a digest with a NUL character");
        return Verdict::error;
    }
    return Verdict::granted;
}

Verdict groups_for_user(Interpreter* in, const HookCall& c, const char* user, std::vector<std::string>* groups)
{
    static const char kFn[] = "groups_for_user";
    static const char kExpected[] = "an iterable (a list) of group names, each str or bytes";
    PyRef r = call(in, c, kFn, {user});
    if (!r) return Verdict::error;
    if (PyUnicode_Check(r.get()) || PyBytes_Check(r.get())) {
        log_fmt(c.load.log, APLOG_ERR, "WSGIS0704",
                "%s returned a single %s, not %s (a string would be one group per character)",
                where(c, kFn).c_str(), Py_TYPE(r.get())->tp_name, kExpected);
        return Verdict::error;
    }
    PyRef it = PyRef::steal(PyObject_GetIter(r.get()));
    if (!it) {
        PyErr_Clear();
        wrong_result(c, kFn, r.get(), kExpected);
        return Verdict::error;
    }
    while (PyRef item = PyRef::steal(PyIter_Next(it.get()))) {
        std::string name;
        if (!PyUnicode_Check(item.get()) && !PyBytes_Check(item.get())) {
            log_fmt(c.load.log, APLOG_ERR, "WSGIS0704", "%s returned a group name of type %.100s; expected str or bytes",
                    where(c, kFn).c_str(), Py_TYPE(item.get())->tp_name);
            return Verdict::error;
        }
        if (!bytes_of(item.get(), false, &name)) {
            log_fmt(c.load.log, APLOG_ERR, "WSGIS0704",
                    "%s returned a group name with characters outside latin-1 (give bytes, or str of latin-1)",
                    where(c, kFn).c_str());
            return Verdict::error;
        }
        groups->push_back(std::move(name));
    }
    if (PyErr_Occurred()) {
        log_exception(c.load.log, APLOG_ERR, "WSGIS0703",
                      "exception raised while iterating the groups from " + where(c, kFn) + "; traceback follows");
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
    wrong_result(c, kFn, r.get(), "True, False or None");
    return Verdict::error;
}

}  // namespace wsgi::auth_hooks
