// environ.cpp - see environ.h.
#include "pipeline/environ.h"

#include <atomic>
#include <cstring>
#include <strings.h>

namespace wsgi {

namespace {

// mod_wsgi.thread_id / thread_requests / total_requests: this process's
// count of the threads that served requests (numbered from 1 as they
// serve their first) and of the requests started.
std::atomic<long> g_threads{0};
std::atomic<long> g_requests{0};
thread_local long t_thread_id = 0;
thread_local long t_thread_requests = 0;

PyRef intern(const char* s) { return PyRef::steal(PyUnicode_InternFromString(s)); }

bool set(PyObject* d, const PyRef& key, PyObject* value)
{
    return value && PyDict_SetItem(d, key.get(), value) == 0;
}

// Room for the CGI variables and request headers of a usual request, so the
// environ is not resized while it is filled.
constexpr Py_ssize_t kEnvironSize = 64;

// The entries that are the same in every environ of this interpreter. Each
// request starts from a copy: one allocation and a block copy instead of a
// dict insert per entry (the way NGINX Unit builds its environ).
PyRef make_template(Interpreter* in, PyObject* file_wrapper)
{
    const InternedKeys& k = in->state<EnvironState>().keys;
    Runtime* rt = Runtime::current();
    PyRef t = PyRef::steal(_PyDict_NewPresized(kEnvironSize));
    if (!t) return {};
    PyObject* d = t.get();
    // The daemon process group (mod_wsgi.process_group of this interpreter: '' embedded).
    PyRef group;
    if (PyObject* mod = PyDict_GetItemString(PyImport_GetModuleDict(), "mod_wsgi"))
        group = PyRef::steal(PyObject_GetAttrString(mod, "process_group"));
    if (!group || !PyUnicode_Check(group.get())) {
        PyErr_Clear();
        group = k.empty;
    }
    if (!set(d, k.wsgi_version, k.version_tuple.get()) ||
        !set(d, k.wsgi_multithread, rt && rt->multithread() ? Py_True : Py_False) ||
        !set(d, k.wsgi_multiprocess, !rt || rt->multiprocess() ? Py_True : Py_False) ||
        !set(d, k.wsgi_run_once, rt && rt->run_once() ? Py_True : Py_False) || !set(d, k.wsgi_input_terminated, Py_True) ||
        !set(d, k.wsgi_file_wrapper, file_wrapper) || !set(d, k.mod_wsgi_process_group, group.get()) ||
        !set(d, k.mod_wsgi_version, k.mod_wsgi_version_tuple.get()) ||
        !set(d, k.apache_version, k.apache_version_tuple.get()))
        return {};
    return t;
}

}  // namespace

bool init_environ_state(Interpreter* in)
{
    InternedKeys& k = in->state<EnvironState>().keys;
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
    k.mod_wsgi_version = intern("mod_wsgi.version");
    k.script_file = intern("wsgiscript.script_file");
    k.version_tuple = PyRef::steal(Py_BuildValue("(ii)", 1, 0));
    k.mod_wsgi_version_tuple = PyRef::steal(Py_BuildValue("(iii)", kModWsgiVersion[0], kModWsgiVersion[1], kModWsgiVersion[2]));
    k.http = intern("http");
    k.https = intern("https");
    k.empty = intern("");
    k.one = intern("1");
    k.zero = intern("0");
    k.close = intern("close");
    k.path_info = intern("PATH_INFO");
    k.https_var = intern("HTTPS");
    k.http_authorization = intern("HTTP_AUTHORIZATION");
    k.path = intern("PATH");
    k.apache_version = intern("apache.version");
    k.apache_version_tuple = PyRef::steal(Py_BuildValue("(iii)", AP_SERVER_MAJORVERSION_NUMBER,
                                                        AP_SERVER_MINORVERSION_NUMBER, AP_SERVER_PATCHLEVEL_NUMBER));
    k.mod_wsgi_script_start = intern("mod_wsgi.script_start");
    k.mod_wsgi_thread_id = intern("mod_wsgi.thread_id");
    k.mod_wsgi_thread_requests = intern("mod_wsgi.thread_requests");
    k.mod_wsgi_total_requests = intern("mod_wsgi.total_requests");
    return k.wsgi_version && k.version_tuple && k.close && k.http_authorization && k.path &&
           k.apache_version_tuple && k.mod_wsgi_total_requests && !PyErr_Occurred();
}

PyRef build_environ(Interpreter* in, Transport& t, const RequestSettings& rs, PyObject* input, PyObject* errors,
                    PyObject* file_wrapper)
{
    EnvironState& state = in->state<EnvironState>();
    EnvironCache& cache = state.cache;
    const InternedKeys& k = state.keys;
    if (!cache.environ_template) {
        cache.environ_template = make_template(in, file_wrapper);
        if (!cache.environ_template) return {};
    }
    PyObject* tmpl = cache.environ_template.get();
    PyRef env = PyRef::steal(PyDict_Copy(tmpl));
    if (!env) return {};
    PyObject* d = env.get();

    bool has_path_info = false, has_https = false;
    const char* https_value = nullptr;
    const apr_array_header_t* arr = apr_table_elts(t.variables());
    const auto* elts = reinterpret_cast<const apr_table_entry_t*>(arr->elts);
    for (int i = 0; i < arr->nelts; ++i) {
        const char* name = elts[i].key;
        if (!name) continue;
        PyRef key, value;
        if (!cache.entry(static_cast<size_t>(i), name, elts[i].val ? elts[i].val : "", &key, &value)) return {};
        PyObject* kp = key.get();
        // Interned keys: identity is equality.
        if (kp == k.http_authorization.get()) {
            if (!rs.pass_authorization) continue;
        } else if (kp == k.path.get()) {
            continue;  // the server's PATH is not the application's business (as mod_wsgi)
        } else if (kp == k.path_info.get()) {
            has_path_info = true;
        } else if (kp == k.https_var.get()) {
            has_https = true;
            https_value = elts[i].val;
        } else if ((name[0] == 'w' || name[0] == 'm') && PyDict_GetItemWithError(tmpl, kp)) {
            continue;  // SetEnv wsgi.version etc. never replaces the module's own entries
        }
        if (PyErr_Occurred() || PyDict_SetItem(d, kp, value.get()) < 0) return {};
    }

    // PEP 3333: PATH_INFO may be empty but is present (ap_add_cgi_vars omits it).
    if (!has_path_info && !set(d, k.path_info, k.empty.get())) return {};

    // As mod_wsgi: an HTTPS variable decides the scheme ('on' or '1': https),
    // so SetEnvIf X-Forwarded-Proto https HTTPS=on works; without one, httpd's
    // scheme for the request (mod_ssl sets HTTPS=on itself).
    bool https = has_https ? (https_value && (strcasecmp(https_value, "on") == 0 || strcmp(https_value, "1") == 0))
                           : t.https();
    PyRef group = cache.app_group.get(rs.app_group.data(), rs.app_group.size());
    PyRef callable = cache.callable.get(rs.callable, strlen(rs.callable));
    PyRef script_name = cache.script_file.get(rs.script_path, strlen(rs.script_path));
    if (!set(d, k.wsgi_url_scheme, https ? k.https.get() : k.http.get()) || !set(d, k.wsgi_input, input) ||
        !set(d, k.wsgi_errors, errors) || !set(d, k.mod_wsgi_application_group, group.get()) ||
        !set(d, k.mod_wsgi_callable_object, callable.get()) ||
        !set(d, k.mod_wsgi_script_reloading, rs.reloading ? k.one.get() : k.zero.get()) ||
        !set(d, k.script_file, script_name.get()))
        return {};
    if (https && !has_https && !set(d, k.https_var, k.one.get())) return {};
    // What mod_wsgi adds when the application is about to run: the time (as
    // a string of microseconds since the epoch), this thread's number and
    // request count, the process's request count.
    if (!t_thread_id) t_thread_id = ++g_threads;
    long total = ++g_requests;
    char start[32];
    snprintf(start, sizeof start, "%" APR_TIME_T_FMT, apr_time_now());
    if (!set(d, k.mod_wsgi_script_start, PyRef::steal(PyUnicode_FromString(start)).get()) ||
        !set(d, k.mod_wsgi_thread_id, PyRef::steal(PyLong_FromLong(t_thread_id)).get()) ||
        !set(d, k.mod_wsgi_thread_requests, PyRef::steal(PyLong_FromLong(t_thread_requests++)).get()) ||
        !set(d, k.mod_wsgi_total_requests, PyRef::steal(PyLong_FromLong(total)).get()))
        return {};
    if (rs.apache_request) {  // WSGIPassApacheRequest On: for C code that knows Apache (mod_wsgi's capsule)
        PyRef capsule = PyRef::steal(PyCapsule_New(rs.apache_request, nullptr, nullptr));
        if (!capsule || PyDict_SetItemString(d, "apache.request_rec", capsule.get()) < 0) return {};
    }
    return env;
}

long request_thread_id() { return t_thread_id; }
long request_threads_started() { return g_threads.load(); }

}  // namespace wsgi
