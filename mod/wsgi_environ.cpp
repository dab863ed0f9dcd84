// wsgi_environ.cpp - see wsgi_environ.h.
#include "wsgi_environ.h"

#include "wsgi_interp.h"

namespace wsgi {

namespace {

PyRef intern(const char* s) { return PyRef::steal(PyUnicode_InternFromString(s)); }

PyRef latin1(const char* s) { return PyRef::steal(PyUnicode_DecodeLatin1(s, strlen(s), nullptr)); }

bool set(PyObject* d, const PyRef& key, PyObject* value)
{
    return value && PyDict_SetItem(d, key.get(), value) == 0;
}

bool set_str(PyObject* d, const char* key, const char* value)
{
    PyRef k = latin1(key);
    PyRef v = latin1(value ? value : "");
    return k && v && PyDict_SetItem(d, k.get(), v.get()) == 0;
}

// The environ key string for `key`, made once per interpreter.
PyRef key_of(Interpreter* in, const char* key)
{
    std::string_view k(key);
    auto it = in->environ_keys.find(k);
    if (it != in->environ_keys.end()) return it->second;
    PyObject* raw = PyUnicode_DecodeLatin1(key, static_cast<Py_ssize_t>(k.size()), nullptr);
    if (!raw) return {};
    PyUnicode_InternInPlace(&raw);
    PyRef s = PyRef::steal(raw);
    if (in->environ_keys.size() < Interpreter::kMaxEnvironKeys) in->environ_keys.emplace(std::string(k), s);
    return s;
}

}  // namespace

bool init_interned_keys(Interpreter* in)
{
    InternedKeys& k = in->keys;
    k.wsgi_version = intern("wsgi.version");
    k.wsgi_url_scheme = intern("wsgi.url_scheme");
    k.wsgi_input = intern("wsgi.input");
    k.wsgi_errors = intern("wsgi.errors");
    k.wsgi_multithread = intern("wsgi.multithread");
    k.wsgi_multiprocess = intern("wsgi.multiprocess");
    k.wsgi_run_once = intern("wsgi.run_once");
    k.wsgi_input_terminated = intern("wsgi.input_terminated");
    k.wsgi_file_wrapper = intern("wsgi.file_wrapper");
    k.mod_wsgi_application_group = intern("mod_wsgi.application_group");
    k.mod_wsgi_callable_object = intern("mod_wsgi.callable_object");
    k.mod_wsgi_process_group = intern("mod_wsgi.process_group");
    k.mod_wsgi_script_reloading = intern("mod_wsgi.script_reloading");
    k.mod_wsgi_request_handler = intern("mod_wsgi.request_handler");
    k.mod_wsgi_version = intern("mod_wsgi.version");
    k.script_file = intern("wsgiscript.script_file");
    k.version_tuple = PyRef::steal(Py_BuildValue("(ii)", 1, 0));
    k.mod_wsgi_version_tuple = PyRef::steal(Py_BuildValue("(iii)", 4, 9, 4));
    k.wsgi_script_handler = intern("wsgi-script");
    k.http = intern("http");
    k.https = intern("https");
    k.empty = intern("");
    k.one = intern("1");
    k.zero = intern("0");
    k.close = intern("close");
    k.fileno = intern("fileno");
    k.read = intern("read");
    k.tell = intern("tell");
    k.sys_modules_attr = intern("modules");
    return k.wsgi_version && k.version_tuple && k.tell && k.sys_modules_attr && !PyErr_Occurred();
}

PyRef build_environ(Interpreter* in, request_rec* r, const RequestSettings& rs, PyObject* input,
                    PyObject* errors, PyObject* file_wrapper)
{
    ap_add_common_vars(r);
    ap_add_cgi_vars(r);
    PyRef env = PyRef::steal(PyDict_New());
    if (!env) return {};
    PyObject* d = env.get();

    const apr_array_header_t* arr = apr_table_elts(r->subprocess_env);
    const auto* elts = reinterpret_cast<const apr_table_entry_t*>(arr->elts);
    for (int i = 0; i < arr->nelts; ++i) {
        if (!elts[i].key) continue;
        PyRef k = key_of(in, elts[i].key);
        PyRef v = latin1(elts[i].val ? elts[i].val : "");
        if (!k || !v || PyDict_SetItem(d, k.get(), v.get()) < 0) return {};
    }
    // PEP 3333: PATH_INFO may be empty but is present (ap_add_cgi_vars omits it).
    if (!apr_table_get(r->subprocess_env, "PATH_INFO"))
        if (!set_str(d, "PATH_INFO", "")) return {};
    if (rs.pass_authorization) {
        if (const char* auth = apr_table_get(r->headers_in, "Authorization"))
            if (!set_str(d, "HTTP_AUTHORIZATION", auth)) return {};
    } else if (PyDict_GetItemString(d, "HTTP_AUTHORIZATION")) {
        if (PyDict_DelItemString(d, "HTTP_AUTHORIZATION") < 0) return {};
    }

    const InternedKeys& k = in->keys;
    Runtime* rt = Runtime::current();
    const char* scheme = ap_http_scheme(r);
    bool https = scheme && strcmp(scheme, "https") == 0;
    PyRef group = PyRef::steal(PyUnicode_DecodeLatin1(rs.app_group.data(), rs.app_group.size(), nullptr));
    PyRef callable = latin1(rs.callable);
    PyRef script_name = latin1(rs.script_path);
    if (!set(d, k.wsgi_version, k.version_tuple.get()) ||
        !set(d, k.wsgi_url_scheme, https ? k.https.get() : k.http.get()) ||
        !set(d, k.wsgi_input, input) || !set(d, k.wsgi_errors, errors) ||
        !set(d, k.wsgi_multithread, rt && rt->multithread() ? Py_True : Py_False) ||
        !set(d, k.wsgi_multiprocess, !rt || rt->multiprocess() ? Py_True : Py_False) ||
        !set(d, k.wsgi_run_once, Py_False) || !set(d, k.wsgi_input_terminated, Py_True) ||
        !set(d, k.wsgi_file_wrapper, file_wrapper) ||
        !set(d, k.mod_wsgi_application_group, group.get()) ||
        !set(d, k.mod_wsgi_callable_object, callable.get()) ||
        !set(d, k.mod_wsgi_process_group, k.empty.get()) ||
        !set(d, k.mod_wsgi_script_reloading, rs.reloading ? k.one.get() : k.zero.get()) ||
        !set(d, k.mod_wsgi_request_handler, k.wsgi_script_handler.get()) ||
        !set(d, k.mod_wsgi_version, k.mod_wsgi_version_tuple.get()) || !set(d, k.script_file, script_name.get()))
        return {};
    if (https && !PyDict_GetItemString(d, "HTTPS"))
        if (!set_str(d, "HTTPS", "1")) return {};
    return env;
}

}  // namespace wsgi
