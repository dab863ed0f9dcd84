// daemon_options.cpp - see daemon_options.h.
#include "core/daemon_options.h"

#include <charconv>

namespace wsgi {

namespace {

// Options of mod_wsgi 5.0's WSGIDaemonProcess that this version does not
// provide, each with the reason given at config time.
struct Refused {
    std::string_view name;
    std::string_view why;
};

constexpr std::string_view kLifecycle =
    "is a daemon lifecycle option (recycling, timeouts, limits, buffer sizes) that this version of "
    "mod_wsgiscript does not provide yet; remove it";

constexpr Refused kRefused[] = {
    {"restart-interval", kLifecycle},
    {"maximum-requests", kLifecycle},
    {"request-timeout", kLifecycle},
    {"interrupt-timeout", kLifecycle},
    {"deadlock-timeout", kLifecycle},
    {"startup-timeout", kLifecycle},
    {"eviction-timeout", kLifecycle},
    {"connect-timeout", kLifecycle},
    {"socket-timeout", kLifecycle},
    {"queue-timeout", kLifecycle},
    {"listen-backlog", kLifecycle},
    {"cpu-time-limit", kLifecycle},
    {"cpu-priority", kLifecycle},
    {"memory-limit", kLifecycle},
    {"virtual-memory-limit", kLifecycle},
    {"stack-size", kLifecycle},
    {"receive-buffer-size", kLifecycle},
    {"send-buffer-size", kLifecycle},
    {"header-buffer-size", kLifecycle},
    {"response-buffer-size", kLifecycle},
    {"response-socket-timeout", kLifecycle},
    {"response-flush-delay", kLifecycle},
    {"switch-interval", kLifecycle},
    {"server-metrics",
     "(mod_wsgi's server metrics, read through mod_wsgi.server_metrics()) is not provided by mod_wsgiscript; "
     "remove it"},
    {"socket-user",
     "is not needed: the daemon sockets belong to Apache's User and only Apache's children are let in; remove "
     "it"},
    {"chroot", "is not supported (mod_wsgi deprecates it too: use a container); remove it"},
    {"script-user", "is not supported yet (a script owner check); remove it"},
    {"script-group", "is not supported yet (a script group check); remove it"},
};

bool parse_int(std::string_view v, int min, int max, int* out)
{
    int n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n < min || n > max) return false;
    *out = n;
    return true;
}

std::vector<std::string> split(std::string_view v, char sep)
{
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= v.size()) {
        size_t end = v.find(sep, pos);
        if (end == std::string_view::npos) end = v.size();
        if (end > pos) out.emplace_back(v.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

// "name" or "#id": a user or group as Apache's User/Group take them.
bool valid_account(std::string_view v)
{
    if (v.empty()) return false;
    if (v[0] == '#') {
        int id;
        return parse_int(v.substr(1), 0, 2147483647, &id);
    }
    for (char ch : v) {
        unsigned char c = static_cast<unsigned char>(ch);  // a plain char is signed here: bytes >= 0x80 are not controls
        if (c <= ' ' || c == ':' || c == '/' || c == 0x7f) return false;
    }
    return true;
}

std::string int_option(std::string_view name, std::string_view value, int min, int max, int* out)
{
    if (parse_int(value, min, max, out)) return {};
    return std::string(name) + "= takes a whole number from " + std::to_string(min) + " to " +
           std::to_string(max) + ", got '" + std::string(value) + "'";
}

std::string path_option(std::string_view name, std::string_view value, std::string* out)
{
    if (value.empty() || value[0] != '/')
        return std::string(name) + "= takes an absolute path, got '" + std::string(value) + "'";
    *out = std::string(value);
    return {};
}

}  // namespace

std::string check_daemon_name(std::string_view name)
{
    if (name.empty()) return "needs a process group name";
    for (char ch : name) {
        unsigned char c = static_cast<unsigned char>(ch);  // as in valid_account
        if (c <= ' ' || c == '%' || c == 0x7f)
            return "process group name '" + std::string(name) + "' must not contain spaces, control characters or '%'";
    }
    return {};
}

std::string parse_daemon_option(std::string_view word, DaemonOptions& o)
{
    size_t eq = word.find('=');
    if (eq == std::string_view::npos || eq == 0) return "expected option=value, got '" + std::string(word) + "'";
    std::string_view name = word.substr(0, eq), value = word.substr(eq + 1);
    // mod_wsgi's spelling display-name='%{GROUP}': a quoted value (the
    // quotes sit inside the word, so Apache's parser leaves them).
    if (value.size() >= 2 && (value[0] == '\'' || value[0] == '"') && value.back() == value[0])
        value = value.substr(1, value.size() - 2);

    if (name == "processes") {
        o.processes_given = true;
        return int_option(name, value, 1, 1000, &o.processes);
    }
    if (name == "threads") {
        if (value == "0")
            return "threads=0 (a process that only runs a WSGIImportScript task, no requests) is not supported; "
                   "use threads=1 or more";
        return int_option(name, value, 1, 1000, &o.threads);
    }
    if (name == "user" || name == "group") {
        if (!valid_account(value))
            return std::string(name) + "= takes a name or #id, got '" + std::string(value) + "'";
        (name == "user" ? o.user : o.group) = std::string(value);
        return {};
    }
    if (name == "supplementary-groups") {
        std::vector<std::string> groups = split(value, ',');
        if (groups.empty()) return "supplementary-groups= needs one or more groups, separated by commas";
        for (const std::string& g : groups)
            if (!valid_account(g)) return "supplementary-groups=: '" + g + "' is not a group name or #id";
        o.supplementary_groups = std::move(groups);
        return {};
    }
    if (name == "umask") {
        unsigned n = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n, 8);
        if (value.empty() || ec != std::errc() || end != value.data() + value.size() || n > 0777)
            return "umask= takes an octal number such as 0022, got '" + std::string(value) + "'";
        o.umask = n;
        return {};
    }
    if (name == "home") return path_option(name, value, &o.home);
    if (name == "python-home") return path_option(name, value, &o.python_home);
    if (name == "python-eggs") return path_option(name, value, &o.python_eggs);
    if (name == "python-path") {
        o.python_path = split(value, ':');
        o.python_path_given = true;
        for (const std::string& dir : o.python_path)
            if (dir[0] != '/') return "python-path= takes absolute directories separated by ':', got '" + dir + "'";
        return {};
    }
    if (name == "lang" || name == "locale") {
        if (value.empty()) return std::string(name) + "= needs a locale such as en_US.UTF-8";
        (name == "lang" ? o.lang : o.locale) = std::string(value);
        return {};
    }
    if (name == "display-name") {
        if (value.empty()) return "display-name= needs a value (for example %{GROUP})";
        o.display_name = std::string(value);
        return {};
    }
    if (name == "inactivity-timeout") return int_option(name, value, 0, 86400 * 365, &o.inactivity_timeout);
    if (name == "graceful-timeout") return int_option(name, value, 0, 86400, &o.graceful_timeout);
    if (name == "shutdown-timeout") return int_option(name, value, 0, 86400, &o.shutdown_timeout);
    for (const Refused& r : kRefused)
        if (name == r.name) return std::string(name) + "= " + std::string(r.why);
    return "unknown option '" + std::string(name) + "'";
}

std::string daemon_display_name(const DaemonOptions& o)
{
    if (o.display_name == "%{GROUP}") return "(wsgi:" + o.name + ")";
    return o.display_name;
}

}  // namespace wsgi
