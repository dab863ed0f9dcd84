// py_error.h - a pending Python exception: taken, described, logged with its
// traceback. GIL held for all.
#pragma once

#include "base/log.h"
#include "base/py_ref.h"

#include <string>

namespace wsgi {

// A pending exception taken out of the thread state (normalised, its
// traceback attached to the value), to look at, then put back or drop.
class PendingError {
public:
    PendingError();  // takes the pending exception, if any
    PendingError(const PendingError&) = delete;
    PendingError& operator=(const PendingError&) = delete;
    explicit operator bool() const { return static_cast<bool>(type_); }
    PyObject* value() const { return value_.get(); }  // borrowed; may be null
    void restore();  // make it pending again, exactly as it was
    PyRef take_value() { return std::move(value_); }

private:
    PyRef type_, value_, tb_;
};

// The pending exception's value, normalised with its traceback attached, and
// cleared (empty when none is set).
PyRef fetch_exception();

// A Python exception set: log `headline`, then the traceback, each line
// tagged; the exception is cleared.
void log_exception(const LogTarget& to, int level, const char* tag, const std::string& headline);

// "Type: message" of the pending exception, which is cleared.
std::string describe_python_error();

// str(o) as UTF-8 ("<unprintable>" when that fails; never leaves an error set).
std::string utf8_of(PyObject* o);

}  // namespace wsgi
