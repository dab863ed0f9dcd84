// fuzz_daemon_options: the WSGIDaemonProcess line (core/daemon_options.h):
// check_daemon_name, parse_daemon_option, daemon_display_name.
//
// Input: a directive line's arguments, split at spaces, tabs and newlines as
// Apache splits them (quotes not interpreted): the first word is the
// process group name, every further word an option, parsed in order into
// one DaemonOptions up to the first refused word (where Apache stops: a
// refused word fails the configuration, so what it left in the options is
// never used). The name is also tried as an option word, on its own.
//
// Properties:
// - check_daemon_name accepts exactly a non-empty name without a byte
//   <= ' ', '%' or DEL;
// - a rejected option word gets a message that names the option (the text
//   before its '='), or the whole word when there is no name;
// - a word whose name is none of the options gets "unknown option" or, for
//   the mod_wsgi options not provided, a message saying so;
// - after an accepted word, the option it names holds a value its rules
//   allow, the same the word wrote (the value inside a pair of matching
//   quotes): processes and threads 1-1000, a number as written, umask at
//   most 0777 in octal, home, python-home and python-eggs absolute paths,
//   every python-path entry absolute and not empty, user and group a name
//   without space, ':', '/' or control, or #id, supplementary groups one or
//   more such (socket-user, script-user, script-group too, and never both
//   script-user and script-group), lang, locale and display-name not empty,
//   every numeric option a whole number in its range (the lifecycle limits
//   and sizes too), switch-interval a decimal in (0, 60]; no other option's
//   value changes;
// - daemon_display_name is "(wsgi:NAME)" for %{GROUP}, else display-name.
#include "core/daemon_options.h"
#include "core/text.h"

#include "fuzz_check.h"

#include <charconv>

namespace {

using fuzz::show;

bool valid_account(std::string_view v)
{
    if (v.empty()) return false;
    if (v[0] == '#') {
        std::string_view id = v.substr(1);
        if (id.empty()) return false;
        std::size_t i = id[0] == '-' ? 1 : 0;  // from_chars' optional minus: "-0" is 0
        if (i == id.size()) return false;
        for (std::size_t j = i; j < id.size(); ++j)
            if (id[j] < '0' || id[j] > '9') return false;
        long long n = 0;
        auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
        return ec == std::errc() && end == id.data() + id.size() && n >= 0 && n <= 2147483647;
    }
    for (char c : v) {
        unsigned char u = static_cast<unsigned char>(c);
        if (u <= ' ' || c == ':' || c == '/' || u == 0x7f) return false;
    }
    return true;
}

// A whole decimal number (from_chars: an optional '-', digits) in [lo, hi].
bool number_in(std::string_view v, long long lo, long long hi, long long* out)
{
    long long n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n < lo || n > hi) return false;
    *out = n;
    return true;
}

// The items of a sep-separated list, empty items left out, joined again.
std::string squeezed(std::string_view v, char sep)
{
    std::string out;
    for (std::size_t pos = 0; pos <= v.size();) {
        std::size_t end = std::min(v.find(sep, pos), v.size());
        if (end > pos) out += (out.empty() ? "" : std::string(1, sep)) + std::string(v.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

std::string joined(const std::vector<std::string>& items, char sep)
{
    std::string out;
    for (const std::string& i : items) out += (out.empty() ? "" : std::string(1, sep)) + i;
    return out;
}

bool same(const wsgi::DaemonOptions& a, const wsgi::DaemonOptions& b)
{
    return a.name == b.name && a.processes == b.processes && a.processes_given == b.processes_given &&
           a.threads == b.threads && a.user == b.user && a.group == b.group &&
           a.supplementary_groups == b.supplementary_groups && a.umask == b.umask && a.home == b.home &&
           a.python_home == b.python_home && a.python_path == b.python_path &&
           a.python_path_given == b.python_path_given && a.python_eggs == b.python_eggs && a.lang == b.lang &&
           a.locale == b.locale && a.display_name == b.display_name &&
           a.inactivity_timeout == b.inactivity_timeout && a.graceful_timeout == b.graceful_timeout &&
           a.shutdown_timeout == b.shutdown_timeout && a.restart_interval == b.restart_interval &&
           a.maximum_requests == b.maximum_requests && a.startup_timeout == b.startup_timeout &&
           a.request_timeout == b.request_timeout && a.deadlock_timeout == b.deadlock_timeout &&
           a.eviction_timeout == b.eviction_timeout && a.connect_timeout == b.connect_timeout &&
           a.socket_timeout == b.socket_timeout && a.queue_timeout == b.queue_timeout &&
           a.listen_backlog == b.listen_backlog && a.socket_user == b.socket_user &&
           a.cpu_time_limit == b.cpu_time_limit && a.cpu_priority == b.cpu_priority &&
           a.memory_limit == b.memory_limit && a.virtual_memory_limit == b.virtual_memory_limit &&
           a.stack_size == b.stack_size && a.receive_buffer_size == b.receive_buffer_size &&
           a.send_buffer_size == b.send_buffer_size && a.header_buffer_size == b.header_buffer_size &&
           a.response_buffer_size == b.response_buffer_size &&
           a.response_socket_timeout == b.response_socket_timeout && a.script_user == b.script_user &&
           a.script_group == b.script_group && a.switch_interval == b.switch_interval &&
           a.server_metrics == b.server_metrics;
}

// The numeric options: name, range, and where the value goes.
struct Numeric {
    std::string_view name;
    long long lo, hi;
    void (*set)(wsgi::DaemonOptions&, long long);
};
constexpr long long kYear = 86400LL * 365;
#define NUMERIC(opt, lo, hi, field) \
    Numeric { opt, lo, hi, [](wsgi::DaemonOptions& o, long long n) { o.field = static_cast<decltype(o.field)>(n); } }
const Numeric kNumeric[] = {
    NUMERIC("threads", 1, 1000, threads),
    NUMERIC("inactivity-timeout", 0, kYear, inactivity_timeout),
    NUMERIC("graceful-timeout", 0, 86400, graceful_timeout),
    NUMERIC("shutdown-timeout", 0, 86400, shutdown_timeout),
    NUMERIC("restart-interval", 0, kYear, restart_interval),
    NUMERIC("maximum-requests", 0, 1LL << 40, maximum_requests),
    NUMERIC("startup-timeout", 0, 86400, startup_timeout),
    NUMERIC("request-timeout", 0, kYear, request_timeout),
    NUMERIC("deadlock-timeout", 0, kYear, deadlock_timeout),
    NUMERIC("eviction-timeout", 0, 86400, eviction_timeout),
    NUMERIC("connect-timeout", 0, 86400, connect_timeout),
    NUMERIC("socket-timeout", 0, 86400, socket_timeout),
    NUMERIC("queue-timeout", 0, 86400, queue_timeout),
    NUMERIC("listen-backlog", 1, 65535, listen_backlog),
    NUMERIC("cpu-time-limit", 0, kYear, cpu_time_limit),
    NUMERIC("response-socket-timeout", 0, 86400, response_socket_timeout),
    NUMERIC("memory-limit", 0, 1LL << 50, memory_limit),
    NUMERIC("virtual-memory-limit", 0, 1LL << 50, virtual_memory_limit),
    NUMERIC("stack-size", 0, 1LL << 34, stack_size),
    NUMERIC("receive-buffer-size", 0, 1LL << 31, receive_buffer_size),
    NUMERIC("send-buffer-size", 0, 1LL << 31, send_buffer_size),
    NUMERIC("header-buffer-size", 4096, 1LL << 30, header_buffer_size),
    NUMERIC("response-buffer-size", 65536, 1LL << 40, response_buffer_size),
    Numeric{"cpu-priority", -20, 20, [](wsgi::DaemonOptions& o, long long n) { o.cpu_priority = static_cast<int>(n); }},
};
#undef NUMERIC

// Parses one word into o, checks what it did; false when it was refused.
bool check_word(std::string_view word, wsgi::DaemonOptions& o)
{
    const wsgi::DaemonOptions before = o;
    std::string err = wsgi::parse_daemon_option(word, o);
    std::size_t eq = word.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        FUZZ_CHECK(!err.empty() && err.find(std::string(word)) != std::string::npos,
                   "a word without name= is refused, quoted: " + show(word) + " -> " + show(err));
        FUZZ_CHECK(same(o, before), "a refused word without name= changes nothing: " + show(word));
        return false;
    }
    std::string_view name = word.substr(0, eq), value = word.substr(eq + 1);
    if (value.size() >= 2 && (value[0] == '\'' || value[0] == '"') && value.back() == value[0])
        value = value.substr(1, value.size() - 2);
    static constexpr std::string_view known[] = {
        "processes", "user",        "group",        "supplementary-groups", "umask",   "home",
        "python-home", "python-eggs", "python-path", "lang",                 "locale", "display-name",
        "socket-user", "script-user", "script-group", "switch-interval", "server-metrics"};
    bool is_known = false;
    for (std::string_view k : known) is_known = is_known || name == k;
    const Numeric* numeric = nullptr;
    for (const Numeric& nm : kNumeric)
        if (name == nm.name) numeric = &nm;
    is_known = is_known || numeric;
    if (!err.empty()) {
        FUZZ_CHECK(err.find(std::string(name)) != std::string::npos,
                   "a refusal names the option: " + show(word) + " -> " + show(err));
        if (!is_known)
            FUZZ_CHECK(err.starts_with("unknown option") || err.find("remove it") != std::string::npos ||
                           err.find("not supported") != std::string::npos,
                       "an option that does not exist is refused as such: " + show(err));
        return false;  // a refused word fails the configuration: what it left in opts is never used
    }
    FUZZ_CHECK(is_known, "only the known options are accepted: " + show(word));

    // The accepted option holds what the word wrote; nothing else changed.
    wsgi::DaemonOptions expect = before;
    long long n = 0;
    std::string v(value);
    if (name == "processes") {
        FUZZ_CHECK(number_in(value, 1, 1000, &n), "processes= 1-1000: " + show(word));
        expect.processes = static_cast<int>(n);
        expect.processes_given = true;
    } else if (numeric) {
        FUZZ_CHECK(number_in(value, numeric->lo, numeric->hi, &n),
                   std::string(numeric->name) + "= a whole number in " + std::to_string(numeric->lo) + ".." +
                       std::to_string(numeric->hi) + ": " + show(word));
        numeric->set(expect, n);
    } else if (name == "user" || name == "group" || name == "socket-user" || name == "script-user" ||
               name == "script-group") {
        FUZZ_CHECK(valid_account(value), "an account option takes a name or #id: " + show(word));
        (name == "user"          ? expect.user
         : name == "group"       ? expect.group
         : name == "socket-user" ? expect.socket_user
         : name == "script-user" ? expect.script_user
                                 : expect.script_group) = v;
        if (name == "script-user" || name == "script-group")
            FUZZ_CHECK(o.script_user.empty() || o.script_group.empty(),
                       "script-user= and script-group= are never both accepted: " + show(word));
    } else if (name == "switch-interval") {
        double d = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), d);
        FUZZ_CHECK(ec == std::errc() && end == value.data() + value.size() && d > 0 && d <= 60,
                   "switch-interval= a number of seconds in (0, 60]: " + show(word));
        expect.switch_interval = d;
    } else if (name == "supplementary-groups") {
        FUZZ_CHECK(!o.supplementary_groups.empty(), "supplementary-groups= one or more: " + show(word));
        for (const std::string& g : o.supplementary_groups)
            FUZZ_CHECK(valid_account(g), "each supplementary group is a name or #id: " + show(g));
        FUZZ_CHECK(joined(o.supplementary_groups, ',') == squeezed(value, ','),
                   "supplementary-groups= are the groups written: " + show(word));
        expect.supplementary_groups = o.supplementary_groups;
    } else if (name == "umask") {
        unsigned u = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), u, 8);
        FUZZ_CHECK(!value.empty() && ec == std::errc() && end == value.data() + value.size() && u <= 0777 &&
                       o.umask == u,
                   "umask= octal, at most 0777: " + show(word));
        expect.umask = u;
    } else if (name == "home" || name == "python-home" || name == "python-eggs") {
        FUZZ_CHECK(!value.empty() && value[0] == '/', "an absolute path: " + show(word));
        (name == "home" ? expect.home : name == "python-home" ? expect.python_home : expect.python_eggs) = v;
    } else if (name == "python-path") {
        for (const std::string& d : o.python_path)
            FUZZ_CHECK(!d.empty() && d[0] == '/', "python-path= entries are absolute: " + show(word));
        FUZZ_CHECK(joined(o.python_path, ':') == squeezed(value, ':'),
                   "python-path= is the directories written: " + show(word));
        expect.python_path = o.python_path;
        expect.python_path_given = true;
    } else if (name == "server-metrics") {
        std::string lower = wsgi::ascii_lower(value);
        FUZZ_CHECK(lower == "on" || lower == "off", "server-metrics= On or Off: " + show(word));
        expect.server_metrics = lower == "on";
    } else if (name == "lang" || name == "locale" || name == "display-name") {
        FUZZ_CHECK(!value.empty(), "lang=, locale=, display-name= not empty: " + show(word));
        (name == "lang" ? expect.lang : name == "locale" ? expect.locale : expect.display_name) = v;
    }
    FUZZ_CHECK(same(o, expect), "an accepted word sets its option to the value written and nothing else: " +
                                    show(word));
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> words;
    for (std::size_t pos = 0; pos < in.size();) {
        std::size_t end = in.find_first_of(" \t\n", pos);
        if (end == std::string_view::npos) end = in.size();
        if (end > pos) words.push_back(in.substr(pos, end - pos));
        pos = end + 1;
    }
    if (words.empty()) {
        FUZZ_CHECK(!wsgi::check_daemon_name("").empty(), "an empty process group name is refused");
        return 0;
    }
    std::string_view name = words[0];
    bool name_ok = true;
    for (char c : name) {
        unsigned char u = static_cast<unsigned char>(c);
        if (u <= ' ' || c == '%' || u == 0x7f) name_ok = false;
    }
    FUZZ_CHECK(wsgi::check_daemon_name(name).empty() == name_ok, "check_daemon_name of " + show(name));

    wsgi::DaemonOptions o;
    o.name = std::string(name);
    wsgi::DaemonOptions scratch = o;
    check_word(name, scratch);  // a name is rarely an option word, but any word may be tried
    for (std::size_t i = 1; i < words.size(); ++i)
        if (!check_word(words[i], o)) break;
    std::string shown = wsgi::daemon_display_name(o);
    FUZZ_CHECK(shown == (o.display_name == "%{GROUP}" ? "(wsgi:" + o.name + ")" : o.display_name),
               "daemon_display_name: " + show(shown));
    return 0;
}
