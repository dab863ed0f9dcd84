// fault.h - failure injection for tests: named points where a test build
// throws the C++ exception a real failure would (std::bad_alloc, or a
// std::runtime_error), to prove that every entry point from httpd, APR and
// Python catches it, logs a tag and fails the request cleanly.
//
// Compiled in only with -DWSGISCRIPT_FAULT_INJECTION (the sanitizer test
// build); in every other build WSGIS_FAULT(point) is nothing at all.
// Armed per thread: for a request from its environment variable
// WSGISCRIPT_FAULT (SetEnv in a test configuration, never a client header),
// outside requests from the process environment. The value is
// "point" (throws std::bad_alloc) or "point:runtime" (std::runtime_error).
#pragma once

#ifdef WSGISCRIPT_FAULT_INJECTION

namespace wsgi::fault {

constexpr bool kEnabled = true;
// Arm the points of spec (nullptr or "": none) for this thread.
void arm(const char* spec);
// Throw when `point` is armed on this thread.
void check(const char* point);

}  // namespace wsgi::fault

#define WSGIS_FAULT(point) ::wsgi::fault::check(point)

#else

namespace wsgi::fault {
constexpr bool kEnabled = false;
inline void arm(const char*) {}
}  // namespace wsgi::fault

#define WSGIS_FAULT(point) ((void)0)

#endif
