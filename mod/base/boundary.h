// boundary.h - the edges where httpd, APR or CPython call into our C++.
//
// No C++ exception may unwind through a C frame of httpd, APR or CPython.
// Every function of ours that such code calls (hooks, directive handlers,
// pool cleanups, Python methods and type slots) runs its body inside one of
// these wrappers, which are noexcept: an exception becomes a Python error
// (MemoryError for std::bad_alloc), a logged WSGIS0005 and an HTTP 500, or a
// configuration error, never an unwinding.
#pragma once

#include "base/log.h"

#include <exception>
#include <new>

namespace wsgi {

// Python C functions returning a new reference (nullptr with an error set).
// GIL held.
template <class F>
PyObject* py_entry(F&& body) noexcept
{
    try {
        return body();
    } catch (const std::bad_alloc&) {
        return PyErr_NoMemory();
    } catch (const std::exception& e) {
        PyErr_Format(PyExc_SystemError, "mod_wsgiscript internal error: %s", e.what());
    } catch (...) {
        PyErr_SetString(PyExc_SystemError, "mod_wsgiscript internal error");
    }
    return nullptr;
}

// Python slots returning int (-1 with an error set). GIL held.
template <class F>
int py_entry_int(F&& body) noexcept
{
    try {
        return body();
    } catch (const std::bad_alloc&) {
        PyErr_NoMemory();
    } catch (const std::exception& e) {
        PyErr_Format(PyExc_SystemError, "mod_wsgiscript internal error: %s", e.what());
    } catch (...) {
        PyErr_SetString(PyExc_SystemError, "mod_wsgiscript internal error");
    }
    return -1;
}

// Python slots that cannot fail (tp_dealloc): an exception is dropped.
template <class F>
void py_entry_void(F&& body) noexcept
{
    try {
        body();
    } catch (...) {
    }
}

// Describes the exception being handled, for a log line.
inline const char* describe_current_exception() noexcept
{
    try {
        throw;
    } catch (const std::bad_alloc&) {
        return "out of memory (std::bad_alloc)";
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown exception";
    }
}

// httpd request hooks: the hook's status, or `on_error` after logging
// WSGIS0005 against the request.
template <class F>
int hook_entry(request_rec* r, int on_error, F&& body) noexcept
{
    try {
        return body();
    } catch (...) {
        log_fmt(LogTarget::of(r), APLOG_ERR, "WSGIS0005", "internal error: %s", describe_current_exception());
    }
    return on_error;
}

// httpd server/process hooks and APR pool cleanups.
template <class F>
void server_entry(server_rec* s, const char* what, F&& body) noexcept
{
    try {
        body();
    } catch (...) {
        log_fmt(LogTarget::of(s), APLOG_CRIT, "WSGIS0005", "internal error %s: %s", what,
                describe_current_exception());
    }
}

// Directive handlers: their error message, or one naming the failure.
template <class F>
const char* directive_entry(cmd_parms* cmd, F&& body) noexcept
{
    try {
        return body();
    } catch (...) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": internal error: ", describe_current_exception(),
                           nullptr);
    }
}

}  // namespace wsgi
