// setup.h - what the request pipeline adds to a process's Python (through
// RuntimeOptions, before Python starts): its types, the functions of
// _wsgiscript that tell Python about requests and loaded scripts, and at
// every interpreter's set-up the environ keys, the mod_wsgi module and
// sys.stdout/sys.stderr to the error log.
#pragma once

#include "runtime/runtime.h"

#include <string>

namespace wsgi {

// What the mod_wsgi module tells applications about their process.
struct ProcessFacts {
    std::string process_group;  // "" in embedded mode
    int maximum_processes = 1;
    int threads_per_process = 1;
    bool server_metrics = false;  // WSGIServerMetrics On / server-metrics=On: server_metrics() answers
};

void add_pipeline(RuntimeOptions& options, const ProcessFacts& facts);

}  // namespace wsgi
