// environ_cache.cpp - see environ_cache.h.
#include "pipeline/environ_cache.h"

#include <cstring>

namespace wsgi {

PyRef latin1_str(const char* s, size_t n)
{
    return PyRef::steal(PyUnicode_DecodeLatin1(s, static_cast<Py_ssize_t>(n), nullptr));
}

namespace {

// Request headers that carry credentials: their values are never kept.
bool is_credential(std::string_view key)
{
    return key == "HTTP_AUTHORIZATION" || key == "HTTP_PROXY_AUTHORIZATION" || key == "HTTP_COOKIE";
}

}  // namespace

PyRef TextMemo::get(const char* s, size_t n, bool keep)
{
    if (obj_ && bytes_.size() == n && memcmp(bytes_.data(), s, n) == 0) return obj_;
    PyRef fresh = latin1_str(s, n);
    if (fresh && keep && n <= EnvironCache::kMaxValue) {
        bytes_.assign(s, n);
        obj_ = fresh;
    } else if (obj_) {
        clear();
    }
    return fresh;
}

PyRef EnvironCache::key(std::string_view name)
{
    auto it = keys_.find(name);
    if (it != keys_.end()) return it->second;
    PyObject* raw = PyUnicode_DecodeLatin1(name.data(), static_cast<Py_ssize_t>(name.size()), nullptr);
    if (!raw) return {};
    PyUnicode_InternInPlace(&raw);
    PyRef s = PyRef::steal(raw);
    if (keys_.size() < kMaxKeys && name.size() <= kMaxValue) keys_.emplace(std::string(name), s);
    return s;
}

bool EnvironCache::entry(size_t pos, const char* key, const char* value, PyRef* key_out, PyRef* value_out)
{
    size_t vlen = strlen(value);
    auto uncached = [&](std::string_view k) {
        *key_out = this->key(k);
        *value_out = latin1_str(value, vlen);
        return *key_out && *value_out;
    };
    if (pos >= kMaxSlots) return uncached(key);
    if (pos >= slots_.size()) slots_.resize(pos + 1);
    Slot& slot = slots_[pos];
    // Apache adds the CGI variables in the same order on every request, so the
    // key at a position is usually the one seen there last time.
    if (!slot.key_obj || strcmp(slot.key.c_str(), key) != 0) {
        std::string_view k(key);
        // Header names come from clients: a long one is made for this request only.
        if (k.size() > kMaxValue) return uncached(k);
        PyRef obj = this->key(k);
        if (!obj) return false;
        slot.key.assign(k);
        slot.key_obj = std::move(obj);
        slot.keep_value = !is_credential(k);
        slot.value.clear();
    }
    *key_out = slot.key_obj;
    *value_out = slot.value.get(value, vlen, slot.keep_value);
    return static_cast<bool>(*value_out);
}

void EnvironCache::clear()
{
    app_group.clear();
    callable.clear();
    script_file.clear();
    environ_template.reset();
    slots_.clear();
    keys_.clear();
}

}  // namespace wsgi
