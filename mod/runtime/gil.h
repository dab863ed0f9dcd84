// gil.h - the only ways this module takes and gives up the GIL: scope types
// that check their precondition (in builds with assertions: the sanitizer
// and failure-injection test builds) and undo what they did when the scope
// ends, also by an exception.
#pragma once

#include "base/httpd.h"

#include <cassert>

namespace wsgi {

// True when this OS thread holds the GIL (its thread state is the one
// Python runs). Python 3.11 keeps one current thread state per process.
inline bool gil_held_here()
{
    PyThreadState* ts = _PyThreadState_UncheckedGet();
    return ts && ts->thread_id == PyThread_get_thread_ident();
}

// Marks this thread as inside Python work of ours for the scope (nested
// scopes count). A signal handler that runs the child's exit (prefork's
// SIGTERM) checks it: Python cannot be finalised from inside a frame that
// is running, or with the GIL held by the very code the signal interrupted.
class PythonActivity {
public:
    PythonActivity();
    ~PythonActivity();
    PythonActivity(const PythonActivity&) = delete;
    PythonActivity& operator=(const PythonActivity&) = delete;
    static bool on_this_thread();
};

// Takes the GIL with thread state `ts` for the scope (the thread must not
// hold it), gives it up again at the end, whichever thread state is then
// current (Py_NewInterpreter switches to the new interpreter's).
class ThreadStateScope {
public:
    explicit ThreadStateScope(PyThreadState* ts)
    {
        assert(!gil_held_here());
        PyEval_RestoreThread(ts);
    }
    ~ThreadStateScope()
    {
        if (!finalized_) PyEval_SaveThread();
    }
    ThreadStateScope(const ThreadStateScope&) = delete;
    ThreadStateScope& operator=(const ThreadStateScope&) = delete;
    // Py_FinalizeEx() has consumed the GIL and every thread state: nothing
    // is left to give up.
    void finalized() { finalized_ = true; }

private:
    PythonActivity active_;
    bool finalized_ = false;
};

// This thread holds the GIL already because Python gave it (Py_Initialize,
// a first PyGILState_Ensure): gives it up when the scope ends.
class AdoptGil {
public:
    AdoptGil() { assert(gil_held_here()); }
    ~AdoptGil() { PyEval_SaveThread(); }
    AdoptGil(const AdoptGil&) = delete;
    AdoptGil& operator=(const AdoptGil&) = delete;

private:
    PythonActivity active_;
};

// Gives the GIL up for the scope (around blocking calls: Apache's network
// and file I/O, lock waits); the thread must hold it.
class GilRelease {
public:
    GilRelease() : ts_((assert(gil_held_here()), PyEval_SaveThread())) {}
    ~GilRelease() { PyEval_RestoreThread(ts_); }
    GilRelease(const GilRelease&) = delete;
    GilRelease& operator=(const GilRelease&) = delete;

private:
    PyThreadState* ts_;
};

// Runs Python with thread state `ts` for the scope while the GIL is held
// already (by this thread, in another thread state), then switches back.
class SwapScope {
public:
    explicit SwapScope(PyThreadState* ts) : prev_((assert(gil_held_here()), PyThreadState_Swap(ts))) {}
    ~SwapScope() { PyThreadState_Swap(prev_); }
    SwapScope(const SwapScope&) = delete;
    SwapScope& operator=(const SwapScope&) = delete;

private:
    PyThreadState* prev_;
};

}  // namespace wsgi
