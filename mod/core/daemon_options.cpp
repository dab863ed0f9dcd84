// daemon_options.cpp - see daemon_options.h.
#include "core/daemon_options.h"
#include "core/text.h"

#include <charconv>
#include <type_traits>

namespace wsgi {

namespace {

// Options of mod_wsgi 5.0's WSGIDaemonProcess that this version does not
// provide, each with the reason given at config time.
struct Refused {
    std::string_view name;
    std::string_view why;
};

constexpr Refused kRefused[] = {
    {"interrupt-timeout",
     "(mod_wsgi 6: raising an exception in a request that ran too long) is not provided; request-timeout "
     "replaces the process instead; remove it"},
    {"response-flush-delay",
     "(mod_wsgi 6: holding response data back for a pacing filter) is not provided: every piece the "
     "application yields is passed on at once; remove it"},
    {"chroot", "is not supported (mod_wsgi deprecates it too: use a container); remove it"},
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

std::string long_option(std::string_view name, std::string_view value, long long min, long long max, auto* out)
{
    long long n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec == std::errc() && end == value.data() + value.size() && n >= min && n <= max) {
        *out = static_cast<std::remove_reference_t<decltype(*out)>>(n);
        return {};
    }
    return std::string(name) + "= takes a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
           ", got '" + std::string(value) + "'";
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
    constexpr int kYear = 86400 * 365;
    if (name == "inactivity-timeout") return int_option(name, value, 0, kYear, &o.inactivity_timeout);
    if (name == "graceful-timeout") return int_option(name, value, 0, 86400, &o.graceful_timeout);
    if (name == "shutdown-timeout") return int_option(name, value, 0, 86400, &o.shutdown_timeout);
    if (name == "restart-interval") return int_option(name, value, 0, kYear, &o.restart_interval);
    if (name == "maximum-requests") return long_option(name, value, 0, 1LL << 40, &o.maximum_requests);
    if (name == "startup-timeout") return int_option(name, value, 0, 86400, &o.startup_timeout);
    if (name == "request-timeout") return int_option(name, value, 0, kYear, &o.request_timeout);
    if (name == "deadlock-timeout") return int_option(name, value, 0, kYear, &o.deadlock_timeout);
    if (name == "eviction-timeout") return int_option(name, value, 0, 86400, &o.eviction_timeout);
    if (name == "connect-timeout") return int_option(name, value, 0, 86400, &o.connect_timeout);
    if (name == "socket-timeout") return int_option(name, value, 0, 86400, &o.socket_timeout);
    if (name == "queue-timeout") return int_option(name, value, 0, 86400, &o.queue_timeout);
    if (name == "listen-backlog") return int_option(name, value, 1, 65535, &o.listen_backlog);
    if (name == "cpu-time-limit") return int_option(name, value, 0, kYear, &o.cpu_time_limit);
    if (name == "response-socket-timeout") return int_option(name, value, 0, 86400, &o.response_socket_timeout);
    if (name == "cpu-priority") {
        int n;
        std::string err = int_option(name, value, -20, 20, &n);
        if (err.empty()) o.cpu_priority = n;
        return err;
    }
    if (name == "memory-limit") return long_option(name, value, 0, 1LL << 50, &o.memory_limit);
    if (name == "virtual-memory-limit") return long_option(name, value, 0, 1LL << 50, &o.virtual_memory_limit);
    if (name == "stack-size") return long_option(name, value, 0, 1LL << 34, &o.stack_size);
    if (name == "receive-buffer-size") return long_option(name, value, 0, 1LL << 31, &o.receive_buffer_size);
    if (name == "send-buffer-size") return long_option(name, value, 0, 1LL << 31, &o.send_buffer_size);
    if (name == "header-buffer-size") return long_option(name, value, 4096, 1LL << 30, &o.header_buffer_size);
    if (name == "response-buffer-size")
        return long_option(name, value, 65536, 1LL << 40, &o.response_buffer_size);
    if (name == "socket-user" || name == "script-user" || name == "script-group") {
        if (!valid_account(value))
            return std::string(name) + "= takes a name or #id, got '" + std::string(value) + "'";
        (name == "socket-user" ? o.socket_user : name == "script-user" ? o.script_user : o.script_group) =
            std::string(value);
        if (!o.script_user.empty() && !o.script_group.empty())
            return "script-user= and script-group= cannot both be given (as in mod_wsgi)";
        return {};
    }
    if (name == "switch-interval") {
        double v = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
        if (ec != std::errc() || end != value.data() + value.size() || !(v > 0) || v > 60)
            return "switch-interval= takes a positive number of seconds such as 0.002, got '" + std::string(value) + "'";
        o.switch_interval = v;
        return {};
    }
    if (name == "server-metrics") {
        if (ascii_lower(value) == "on") o.server_metrics = true;
        else if (ascii_lower(value) == "off") o.server_metrics = false;
        else return "server-metrics= takes On or Off, got '" + std::string(value) + "'";
        return {};
    }
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
