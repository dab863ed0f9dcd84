// metrics.h - mod_wsgi 5.0's metrics API in the module mod_wsgi:
// server_metrics() (Apache's scoreboard, gated by WSGIServerMetrics or the
// daemon group's server-metrics=), process_metrics(), request_metrics(),
// request_data() and the dict active_requests; and the per-request
// bookkeeping they read (RequestMetricsScope, around every application call).
//
// The counters are process-wide plain data under one mutex (no PyObject in
// static storage); the active_requests dict is per interpreter (the module's
// own attribute, reached through MetricsState).
#pragma once

#include "runtime/runtime.h"

namespace wsgi {

struct MetricsFacts {
    bool server_metrics = false;  // WSGIServerMetrics / server-metrics=
    int threads_per_process = 1;  // request_threads_maximum
    bool daemon = false;
};

// Called once per process before Python starts (from add_pipeline): the
// process's start time (restart_time of process_metrics()) and the facts.
void init_process_metrics(const MetricsFacts& facts);

// At interpreter set-up, with the mod_wsgi module being made: adds
// server_metrics, process_metrics, request_metrics, request_data and
// active_requests to it. GIL held; false with a Python error set.
bool add_metrics_to_module(Interpreter* in, PyObject* module);

// One application call, as mod_wsgi's wsgi_start_request()/
// wsgi_end_request(): made with the GIL held after the environ is built
// (its mod_wsgi.request_id and mod_wsgi.request_start are read), ended by
// its destructor with the GIL held. Never throws; Python errors it meets
// are cleared (the request goes on without its metrics entry).
class RequestMetricsScope {
public:
    RequestMetricsScope(Interpreter* in, PyObject* environ) noexcept;
    ~RequestMetricsScope();
    RequestMetricsScope(const RequestMetricsScope&) = delete;
    RequestMetricsScope& operator=(const RequestMetricsScope&) = delete;

private:
    PyRef active_;        // this interpreter's mod_wsgi.active_requests
    PyRef request_id_;    // its key there, or null
    PyRef data_;          // request_data() of this request
    PyObject* previous_;  // the data of an enclosing request on this thread (borrowed), or null
    long long request_start_ = 0;      // apr_time_t, 0 when unknown
    long long application_start_ = 0;  // apr_time_t
};

}  // namespace wsgi
