// string_map.h - a map keyed by std::string that can be searched with a
// std::string_view or a C string without making a std::string first.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace wsgi {

struct StringViewHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

template <class V>
using StringMap = std::unordered_map<std::string, V, StringViewHash, std::equal_to<>>;

}  // namespace wsgi
