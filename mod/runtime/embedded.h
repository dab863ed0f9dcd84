// embedded.h - the Python package python/wsgiscript, compiled into the
// module (the generated wsgiscript_sources.cpp fills the table).
#pragma once

#include <cstddef>

namespace wsgi {

struct EmbeddedSource {
    const char* module;    // "wsgiscript", "wsgiscript.pickle_diagnostics", ...
    const char* filename;  // "<mod_wsgiscript>/wsgiscript/NAME.py": __file__ and tracebacks
    const char* source;
    bool is_package;
};

extern const EmbeddedSource kEmbeddedSources[];
extern const std::size_t kEmbeddedSourceCount;

}  // namespace wsgi
