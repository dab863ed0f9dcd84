// environ_cache.h - the strings a request's environ is made of, kept per
// interpreter so that most requests make no new str object for them.
//
// GIL: every call must hold the GIL with the owning interpreter current.
// Lifetime: one EnvironCache per interpreter (in its EnvironState), gone
// before that interpreter is torn down. Memory is bounded: kMaxKeys key strings,
// kMaxSlots positions, values longer than kMaxValue are never kept.
#pragma once

#include "base/py_ref.h"
#include "core/string_map.h"

#include <string>
#include <string_view>
#include <vector>

namespace wsgi {

// A str of the Latin-1 bytes s[0..n) (new reference; empty with a Python error).
PyRef latin1_str(const char* s, size_t n);

// The last text seen at one place and its str (Latin-1): handed out again
// while the bytes stay the same (a script path, a callable name, SERVER_NAME).
class TextMemo {
public:
    // New reference to a str of s[0..n); null with a Python error set on failure.
    PyRef get(const char* s, size_t n, bool keep = true);
    void clear() { bytes_.clear(); obj_.reset(); }

private:
    std::string bytes_;
    PyRef obj_;
};

class EnvironCache {
public:
    static constexpr size_t kMaxKeys = 512;    // distinct key strings (header names come from clients)
    static constexpr size_t kMaxSlots = 128;   // positions of r->subprocess_env remembered
    static constexpr size_t kMaxValue = 256;   // longest key or value kept between requests

    // Key and value str for entry `pos` of r->subprocess_env (key and value
    // as Apache has them). The key str is interned: equal keys give the same
    // object. False with a Python error set on failure.
    bool entry(size_t pos, const char* key, const char* value, PyRef* key_out, PyRef* value_out);

    // The interned str for an environ key, by content.
    PyRef key(std::string_view name);

    // Texts that are the same on most requests of a script.
    TextMemo app_group, callable, script_file;
    // Entries every environ of this interpreter starts with (made by the
    // environ builder on first use; copied, never handed out).
    PyRef environ_template;

    void clear();

private:
    struct Slot {
        std::string key;
        PyRef key_obj;
        bool keep_value = false;  // false for credentials: never kept past their request
        TextMemo value;
    };
    StringMap<PyRef> keys_;
    std::vector<Slot> slots_;
};

}  // namespace wsgi
