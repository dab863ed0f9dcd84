// metrics.cpp - see metrics.h. Names, keys and arithmetic follow mod_wsgi
// 5.0's src/server/wsgi_metrics.c, so dashboards written for it read the
// same numbers.
#include "pipeline/metrics.h"

#include "base/boundary.h"
#include "pipeline/environ.h"

#include <array>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include <sys/resource.h>
#include <sys/times.h>
#include <unistd.h>

#include <scoreboard.h>

namespace wsgi {

namespace {

constexpr int kBuckets = 16;

// Process-wide counters (plain data, one per process; Python objects are
// per interpreter, in MetricsState).
struct Counters {
    std::mutex lock;
    // Thread utilisation, as mod_wsgi's wsgi_utilization_time().
    long long finished = 0;     // requests ended
    int active = 0;             // requests running
    double busy = 0;            // request-seconds accrued
    apr_time_t busy_last = 0;   // when busy was last brought up to date
    std::vector<long long> per_thread;  // requests started, by mod_wsgi.thread_id - 1
    // What request_metrics() samples between two calls.
    bool sampling = false;
    long long sample_requests = 0;
    double server_total = 0, application_total = 0;
    std::array<int, kBuckets> server_buckets{}, application_buckets{};
    std::vector<int> thread_buckets;  // requests ended, by thread, up to request_threads_maximum
    // The start of the running sample.
    apr_time_t start_time = 0;
    double start_busy = 0, start_user = 0, start_system = 0;
    long long start_count = 0;
};

Counters g_counters;
MetricsFacts g_facts;
apr_time_t g_process_start = 0;

// This thread's request data (request_data()), owned by the
// RequestMetricsScope on its stack; null outside a request.
thread_local PyObject* t_request_data = nullptr;

struct MetricsState : InterpreterState {
    PyRef active_requests;  // the module's active_requests dict
};

double sec(apr_time_t t) { return static_cast<double>(t) / APR_USEC_PER_SEC; }

// Brings busy up to date, adds adjustment to the running requests (and
// -adjustment to the ended ones). Returns busy; *count the ended requests.
// Lock held by the caller.
double utilization_locked(int adjustment, long long* count)
{
    Counters& c = g_counters;
    apr_time_t now = apr_time_now();
    if (c.busy_last != 0) {
        double d = sec(now - c.busy_last);
        if (d > 0) c.busy += c.active * d;
    }
    c.busy_last = now;
    c.active += adjustment;
    if (adjustment < 0) c.finished += -adjustment;
    if (count) *count = c.finished;
    return c.busy;
}

// mod_wsgi's wsgi_record_time_in_buckets(): <= 5 ms, <= 10 ms, ... doubling, the last open.
void record_in_buckets(std::array<int, kBuckets>& buckets, double duration)
{
    double threshold = 0.005;
    for (int i = 0; i < 14; ++i, threshold *= 2) {
        if (duration <= threshold) {
            buckets[static_cast<size_t>(i)] += 1;
            return;
        }
    }
    buckets[14] += 1;
}

int request_threads_maximum() { return g_facts.threads_per_process > 0 ? g_facts.threads_per_process : 1; }

void cpu_times(double* user, double* system)
{
    static const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    struct tms t;
    times(&t);
    *user = tick > 0 ? static_cast<double>(t.tms_utime) / tick : 0.0;
    *system = tick > 0 ? static_cast<double>(t.tms_stime) / tick : 0.0;
}

long long peak_rss()
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return static_cast<long long>(ru.ru_maxrss) * 1024;  // kilobytes on Linux
}

long long current_rss()
{
    FILE* f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    long long size = 0, resident = 0;
    int n = fscanf(f, "%lld %lld", &size, &resident);
    fclose(f);
    return n == 2 ? resident * sysconf(_SC_PAGESIZE) : 0;
}

// d[key] = value (a new reference, stolen); false with a Python error set.
bool put(PyObject* d, const char* key, PyObject* value)
{
    PyRef v = PyRef::steal(value);
    return v && PyDict_SetItemString(d, key, v.get()) == 0;
}

PyObject* int_list(const int* values, size_t n)
{
    PyRef list = PyRef::steal(PyList_New(static_cast<Py_ssize_t>(n)));
    if (!list) return nullptr;
    for (size_t i = 0; i < n; ++i) {
        PyObject* v = PyLong_FromLong(values[i]);
        if (!v) return nullptr;
        PyList_SET_ITEM(list.get(), static_cast<Py_ssize_t>(i), v);  // steals v
    }
    return list.release();
}

// A scoreboard string field: bounded by its array, decoded as latin-1 (mod_wsgi's wsgi_PyString_FromString).
template <size_t N>
PyObject* field(const char (&s)[N])
{
    return PyUnicode_DecodeLatin1(s, static_cast<Py_ssize_t>(strnlen(s, N)), nullptr);
}

// mod_status's letters for the worker states (mod_wsgi's wsgi_status_flags).
const char* status_flag(int status)
{
    switch (status) {
    case SERVER_DEAD: return ".";
    case SERVER_STARTING: return "S";
    case SERVER_READY: return "_";
    case SERVER_BUSY_READ: return "R";
    case SERVER_BUSY_WRITE: return "W";
    case SERVER_BUSY_KEEPALIVE: return "K";
    case SERVER_BUSY_LOG: return "L";
    case SERVER_BUSY_DNS: return "D";
    case SERVER_CLOSING: return "C";
    case SERVER_GRACEFUL: return "G";
    case SERVER_IDLE_KILL: return "I";
    default: return "?";  // a state newer than this build (mod_wsgi would read past its table)
    }
}

// server_metrics(): Apache's scoreboard, or None when not allowed
// (WSGIServerMetrics Off / server-metrics=Off) or not attached.
PyObject* py_server_metrics(PyObject*, PyObject*)
{
    return py_entry([]() -> PyObject* {
        if (!g_facts.server_metrics || !ap_exists_scoreboard_image()) Py_RETURN_NONE;
        global_score* gs = ap_get_scoreboard_global();
        if (!gs) Py_RETURN_NONE;
        PyRef d = PyRef::steal(PyDict_New());
        if (!d) return nullptr;
        apr_time_t now = apr_time_now();
        if (!put(d.get(), "server_limit", PyLong_FromLong(gs->server_limit)) ||
            !put(d.get(), "thread_limit", PyLong_FromLong(gs->thread_limit)) ||
            !put(d.get(), "running_generation", PyLong_FromLong(gs->running_generation)) ||
            !put(d.get(), "restart_time", PyFloat_FromDouble(sec(gs->restart_time))) ||
            !put(d.get(), "current_time", PyFloat_FromDouble(sec(now))) ||
            !put(d.get(), "running_time",
                 PyLong_FromLongLong(static_cast<apr_uint32_t>(sec(now - gs->restart_time)))))
            return nullptr;
        PyRef processes = PyRef::steal(PyList_New(0));
        if (!processes) return nullptr;
        for (int i = 0; i < gs->server_limit; ++i) {
            process_score* ps = ap_get_scoreboard_process(i);
            PyRef p = PyRef::steal(PyDict_New());
            PyRef workers = PyRef::steal(PyList_New(0));
            if (!p || !workers || !ps || PyList_Append(processes.get(), p.get()) < 0) return nullptr;
            if (!put(p.get(), "process_num", PyLong_FromLong(i)) ||
                !put(p.get(), "pid", PyLong_FromLong(static_cast<long>(ps->pid))) ||
                !put(p.get(), "generation", PyLong_FromLong(ps->generation)) ||
                !put(p.get(), "quiescing", PyBool_FromLong(ps->quiescing)) ||
                PyDict_SetItemString(p.get(), "workers", workers.get()) < 0)
                return nullptr;
            for (int j = 0; j < gs->thread_limit; ++j) {
                worker_score* ws = ap_get_scoreboard_worker_from_indexes(i, j);
                PyRef w = PyRef::steal(PyDict_New());
                if (!w || !ws || PyList_Append(workers.get(), w.get()) < 0) return nullptr;
                if (!put(w.get(), "thread_num", PyLong_FromLong(ws->thread_num)) ||
                    !put(w.get(), "generation", PyLong_FromLong(ws->generation)) ||
                    !put(w.get(), "status", PyUnicode_InternFromString(status_flag(ws->status))) ||
                    !put(w.get(), "access_count", PyLong_FromUnsignedLong(ws->access_count)) ||
                    !put(w.get(), "bytes_served", PyLong_FromUnsignedLongLong(ws->bytes_served)) ||
                    !put(w.get(), "start_time", PyFloat_FromDouble(sec(ws->start_time))) ||
                    !put(w.get(), "stop_time", PyFloat_FromDouble(sec(ws->stop_time))) ||
                    !put(w.get(), "last_used", PyFloat_FromDouble(sec(ws->last_used))) ||
                    !put(w.get(), "client", field(ws->client)) || !put(w.get(), "request", field(ws->request)) ||
                    !put(w.get(), "vhost", field(ws->vhost)))
                    return nullptr;
            }
        }
        if (PyDict_SetItemString(d.get(), "processes", processes.get()) < 0) return nullptr;
        return d.release();
    });
}

// process_metrics(): this process since it started.
PyObject* py_process_metrics(PyObject*, PyObject*)
{
    return py_entry([]() -> PyObject* {
        long long count = 0;
        double busy = 0;
        int active = 0;
        std::vector<long long> per_thread;
        {
            std::lock_guard<std::mutex> hold(g_counters.lock);
            busy = utilization_locked(0, &count);
            active = g_counters.active;
            per_thread = g_counters.per_thread;
        }
        double user = 0, system = 0;
        cpu_times(&user, &system);
        apr_time_t now = apr_time_now();
        PyRef d = PyRef::steal(PyDict_New());
        PyRef threads = PyRef::steal(PyList_New(0));
        if (!d || !threads) return nullptr;
        if (!put(d.get(), "pid", PyLong_FromLong(static_cast<long>(getpid()))) ||
            !put(d.get(), "request_busy_time", PyFloat_FromDouble(busy)) ||
            !put(d.get(), "request_count", PyLong_FromLongLong(count)) ||
            !put(d.get(), "memory_max_rss", PyLong_FromLongLong(peak_rss())) ||
            !put(d.get(), "memory_rss", PyLong_FromLongLong(current_rss())) ||
            !put(d.get(), "cpu_user_time", PyFloat_FromDouble(user)) ||
            !put(d.get(), "cpu_system_time", PyFloat_FromDouble(system)) ||
            !put(d.get(), "restart_time", PyFloat_FromDouble(sec(g_process_start))) ||
            !put(d.get(), "current_time", PyFloat_FromDouble(sec(now))) ||
            !put(d.get(), "running_time",
                 PyLong_FromLongLong(static_cast<apr_uint32_t>(sec(now - g_process_start)))) ||
            !put(d.get(), "request_threads", PyLong_FromLong(request_threads_started())) ||
            !put(d.get(), "active_requests", PyLong_FromLong(active)) ||
            PyDict_SetItemString(d.get(), "threads", threads.get()) < 0)
            return nullptr;
        for (size_t i = 0; i < per_thread.size(); ++i) {
            PyRef e = PyRef::steal(PyDict_New());
            if (!e || !put(e.get(), "thread_id", PyLong_FromSize_t(i + 1)) ||
                !put(e.get(), "request_count", PyLong_FromLongLong(per_thread[i])) ||
                PyList_Append(threads.get(), e.get()) < 0)
                return nullptr;
        }
        return d.release();
    });
}

// request_metrics(): the first call starts sampling and returns {}; each
// later call reports the period since the call before.
PyObject* py_request_metrics(PyObject*, PyObject*)
{
    return py_entry([]() -> PyObject* {
        Counters& c = g_counters;
        const int maximum = request_threads_maximum();
        PyRef d = PyRef::steal(PyDict_New());
        if (!d) return nullptr;
        apr_time_t stop = apr_time_now();
        double user = 0, system = 0;
        cpu_times(&user, &system);
        std::unique_lock<std::mutex> hold(c.lock);
        long long stop_count = 0;
        double stop_busy = utilization_locked(0, &stop_count);
        // The next period starts now, with empty counts.
        auto start_period = [&] {
            c.start_time = stop;
            c.start_busy = stop_busy;
            c.start_count = stop_count;
            c.start_user = user;
            c.start_system = system;
            c.sample_requests = 0;
            c.server_total = c.application_total = 0;
            c.server_buckets.fill(0);
            c.application_buckets.fill(0);
            c.thread_buckets.assign(static_cast<size_t>(maximum), 0);
        };
        if (!c.sampling) {
            c.sampling = true;
            start_period();
            return d.release();
        }
        const apr_time_t start = c.start_time;
        const double period = sec(stop) - sec(start);
        const double busy = stop_busy - c.start_busy;
        const long long count = stop_count - c.start_count;
        const double cpu_user = period > 0 ? (user - c.start_user) / period : 0.0;
        const double cpu_system = period > 0 ? (system - c.start_system) / period : 0.0;
        const long long sampled = c.sample_requests;
        const double server_total = c.server_total, application_total = c.application_total;
        const std::array<int, kBuckets> server_buckets = c.server_buckets, application_buckets = c.application_buckets;
        const std::vector<int> thread_buckets = c.thread_buckets;
        start_period();
        hold.unlock();

        int threads_active = 0;
        for (int n : thread_buckets)
            if (n) ++threads_active;
        const std::array<int, kBuckets> none{};
        PyObject* dp = d.get();
        if (!put(dp, "pid", PyLong_FromLong(static_cast<long>(getpid()))) ||
            !put(dp, "start_time", PyFloat_FromDouble(sec(start))) ||
            !put(dp, "stop_time", PyFloat_FromDouble(sec(stop))) ||
            !put(dp, "sample_period", PyFloat_FromDouble(period)) ||
            !put(dp, "cpu_user_time", PyFloat_FromDouble(cpu_user)) ||
            !put(dp, "cpu_system_time", PyFloat_FromDouble(cpu_system)) ||
            !put(dp, "memory_max_rss", PyLong_FromLongLong(peak_rss())) ||
            !put(dp, "memory_rss", PyLong_FromLongLong(current_rss())) ||
            !put(dp, "request_threads_maximum", PyLong_FromLong(maximum)) ||
            !put(dp, "request_threads_started", PyLong_FromLong(request_threads_started())) ||
            !put(dp, "capacity_utilization", PyFloat_FromDouble(period > 0 ? busy / period / maximum : 0.0)) ||
            !put(dp, "request_count", PyLong_FromLongLong(count)) ||
            !put(dp, "request_throughput", PyFloat_FromDouble(period > 0 ? count / period : 0.0)) ||
            !put(dp, "server_time_buckets", int_list(server_buckets.data(), server_buckets.size())) ||
            // queue and daemon time are not measured (see docs/compat.md): empty buckets, None averages
            !put(dp, "queue_time_buckets", int_list(none.data(), none.size())) ||
            !put(dp, "daemon_time_buckets", int_list(none.data(), none.size())) ||
            !put(dp, "application_time_buckets", int_list(application_buckets.data(), application_buckets.size())) ||
            !put(dp, "request_threads_buckets", int_list(thread_buckets.data(), thread_buckets.size())) ||
            !put(dp, "request_threads_active", PyLong_FromLong(threads_active)) ||
            !put(dp, "server_time", PyFloat_FromDouble(sampled ? server_total / sampled : 0.0)) ||
            PyDict_SetItemString(dp, "queue_time", Py_None) < 0 || PyDict_SetItemString(dp, "daemon_time", Py_None) < 0 ||
            !put(dp, "application_time", PyFloat_FromDouble(sampled ? application_total / sampled : 0.0)))
            return nullptr;
        return d.release();
    });
}

PyObject* py_request_data(PyObject*, PyObject*)
{
    if (!t_request_data) {
        PyErr_SetString(PyExc_RuntimeError, "no active request for thread");
        return nullptr;
    }
    return Py_NewRef(t_request_data);
}

PyMethodDef kMetricsFunctions[] = {
    {"server_metrics", py_server_metrics, METH_NOARGS,
     "Apache's scoreboard as a dict, or None unless WSGIServerMetrics On (daemon: server-metrics=On)"},
    {"process_metrics", py_process_metrics, METH_NOARGS, "this process's requests, threads, CPU and memory"},
    {"request_metrics", py_request_metrics, METH_NOARGS,
     "requests since the previous call ({} at the first, which starts sampling)"},
    {"request_data", py_request_data, METH_NOARGS, "the dict of the request this thread serves"},
    {nullptr, nullptr, 0, nullptr},
};

long long parse_time(PyObject* environ, const char* key)
{
    PyObject* v = PyDict_GetItemString(environ, key);  // borrowed
    if (!v || !PyUnicode_Check(v)) return 0;
    const char* s = PyUnicode_AsUTF8(v);
    if (!s) {
        PyErr_Clear();
        return 0;
    }
    char* end = nullptr;
    long long t = strtoll(s, &end, 10);
    return end && *end == '\0' && t > 0 ? t : 0;
}

}  // namespace

void init_process_metrics(const MetricsFacts& facts)
{
    g_facts = facts;
    g_process_start = apr_time_now();
}

bool add_metrics_to_module(Interpreter* in, PyObject* module)
{
    for (PyMethodDef* def = kMetricsFunctions; def->ml_name; ++def)
        if (!add_to_module(module, def->ml_name, PyRef::steal(PyCFunction_New(def, nullptr)))) return false;
    PyRef active = PyRef::steal(PyDict_New());
    if (!add_to_module(module, "active_requests", active)) return false;
    in->state<MetricsState>().active_requests = std::move(active);
    return true;
}

RequestMetricsScope::RequestMetricsScope(Interpreter* in, PyObject* environ) noexcept : previous_(t_request_data)
{
    application_start_ = apr_time_now();
    request_start_ = parse_time(environ, "mod_wsgi.request_start");
    data_ = PyRef::steal(PyDict_New());
    if (!data_) PyErr_Clear();
    t_request_data = data_.get();
    try {
        active_ = in->state<MetricsState>().active_requests;
        const long id = request_thread_id();
        std::lock_guard<std::mutex> hold(g_counters.lock);
        utilization_locked(1, nullptr);
        if (id > 0 && id <= 100000) {  // threads are bounded by the MPM / threads=
            if (g_counters.per_thread.size() < static_cast<size_t>(id)) g_counters.per_thread.resize(static_cast<size_t>(id));
            g_counters.per_thread[static_cast<size_t>(id - 1)] += 1;
        }
    } catch (...) {
        return;
    }
    PyObject* rid = PyDict_GetItemString(environ, "mod_wsgi.request_id");  // borrowed
    if (active_ && data_ && rid && PyUnicode_Check(rid)) {
        request_id_ = PyRef::borrow(rid);
        if (PyDict_SetItem(active_.get(), request_id_.get(), data_.get()) < 0) {
            PyErr_Clear();
            request_id_.reset();
        }
    }
}

RequestMetricsScope::~RequestMetricsScope()
{
    t_request_data = previous_;
    PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
    PyErr_Fetch(&type, &value, &tb);  // an error of the request stays pending, untouched
    if (active_ && request_id_ && PyDict_GetItem(active_.get(), request_id_.get()) == data_.get())
        if (PyDict_DelItem(active_.get(), request_id_.get()) < 0) PyErr_Clear();
    PyErr_Restore(type, value, tb);
    const apr_time_t finish = apr_time_now();
    const double application_time = sec(finish - application_start_);
    const double server_time = request_start_ && application_start_ > request_start_
                                   ? sec(application_start_ - request_start_)
                                   : 0.0;
    const long id = request_thread_id();
    try {
        Counters& c = g_counters;
        std::lock_guard<std::mutex> hold(c.lock);
        utilization_locked(-1, nullptr);
        if (!c.sampling) return;
        c.sample_requests += 1;
        c.server_total += server_time;
        c.application_total += application_time;
        record_in_buckets(c.server_buckets, server_time);
        record_in_buckets(c.application_buckets, application_time);
        if (id > 0 && static_cast<size_t>(id) <= c.thread_buckets.size()) c.thread_buckets[static_cast<size_t>(id - 1)] += 1;
    } catch (...) {
    }
}

}  // namespace wsgi
