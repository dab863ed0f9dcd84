// fault.cpp - see fault.h (built only with WSGISCRIPT_FAULT_INJECTION).
#include "core/fault.h"

#ifdef WSGISCRIPT_FAULT_INJECTION

#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>

namespace wsgi::fault {

namespace {
thread_local std::string t_armed;
}

void arm(const char* spec) { t_armed = spec ? spec : ""; }

void check(const char* point)
{
    std::string_view armed = t_armed;
    if (armed.empty()) {
        const char* env = std::getenv("WSGISCRIPT_FAULT");  // outside requests
        if (!env) return;
        armed = env;
    }
    std::string_view p(point);
    if (armed.substr(0, p.size()) != p) return;
    std::string_view kind = armed.substr(p.size());
    if (kind.empty()) throw std::bad_alloc();
    if (kind == ":runtime") throw std::runtime_error(std::string("injected fault at ") + point);
}

}  // namespace wsgi::fault

#endif
