// embedded.h - the Python package python/wsgiscript, compiled into the
// module (the generated wsgiscript_sources.cpp fills the table).
#pragma once

#include <cstddef>

namespace wsgi {

struct EmbeddedSource {
    const char* module;    // "wsgiscript", "wsgiscript.pickle_diagnostics", ...
    const char* filename;  // source path at build time (for tracebacks)
    const char* source;
    bool is_package;
};

extern const EmbeddedSource kEmbeddedSources[];
extern const std::size_t kEmbeddedSourceCount;

}  // namespace wsgi
