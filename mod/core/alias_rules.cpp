// alias_rules.cpp - see alias_rules.h.
#include "core/alias_rules.h"

#include "core/text.h"

namespace wsgi {

long mount_match(std::string_view mount, std::string_view uri)
{
    size_t m = mount.size();
    while (m > 0 && mount[m - 1] == '/') --m;
    // As mod_wsgi (and mod_alias): a run of '/' in the mount matches a run
    // of one or more '/' in the URI; everything else literally.
    size_t i = 0, j = 0;
    while (i < m) {
        if (mount[i] == '/') {
            if (j >= uri.size() || uri[j] != '/') return -1;
            while (i < m && mount[i] == '/') ++i;
            while (j < uri.size() && uri[j] == '/') ++j;
        } else {
            if (j >= uri.size() || uri[j] != mount[i]) return -1;
            ++i;
            ++j;
        }
    }
    if (j < uri.size() && uri[j] != '/') return -1;
    return static_cast<long>(j);
}

std::string normalized_script_name(std::string_view raw)
{
    std::string out;
    out.reserve(raw.size());
    for (char c : raw) {
        if (c == '/' && !out.empty() && out.back() == '/') continue;
        out += c;
    }
    while (!out.empty() && out.back() == '/') out.pop_back();
    return ascii_lower(out);
}

std::string alias_script_name(std::string_view location, std::string_view target, std::string_view filename)
{
    std::string raw(location);
    if (filename.size() > target.size() && filename.compare(0, target.size(), target) == 0) {
        raw += '/';
        raw += filename.substr(target.size());
    }
    return normalized_script_name(raw);
}

}  // namespace wsgi
