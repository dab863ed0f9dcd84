// python_options.cpp - see python_options.h.
#include "core/python_options.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace wsgi {

namespace {

bool matches(const InterpreterOptionsBlock& b, std::string_view process_group, std::string_view application_group)
{
    if (b.process_group && *b.process_group != process_group) return false;
    if (b.application_group && *b.application_group != application_group) return false;
    return true;
}

// The blocks that match, least specific first, equal specificity in the
// order they were written (stable).
std::vector<const InterpreterOptionsBlock*> matching(const PythonSettings& s, std::string_view process_group,
                                                     std::string_view application_group)
{
    std::vector<const InterpreterOptionsBlock*> out;
    for (const InterpreterOptionsBlock& b : s.blocks)
        if (matches(b, process_group, application_group)) out.push_back(&b);
    std::stable_sort(out.begin(), out.end(), [](const InterpreterOptionsBlock* a, const InterpreterOptionsBlock* b) {
        return a->specificity() < b->specificity();
    });
    return out;
}

void take(int value, bool* into)
{
    if (value != kPyUnset) *into = value == 1;
}

bool parse_number(std::string_view v, double* out)
{
    if (v.empty() || v.size() > 64) return false;
    std::string s(v);
    char* end = nullptr;
    errno = 0;
    double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(d)) return false;
    *out = d;
    return true;
}

bool is_identifier(std::string_view v)
{
    if (v.empty()) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    if (!alpha(v[0])) return false;
    for (char c : v)
        if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
    return true;
}

std::string_view trim(std::string_view v)
{
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
}

}  // namespace

InterpreterSettings resolve_interpreter(const PythonSettings& s, std::string_view process_group,
                                        std::string_view application_group)
{
    InterpreterSettings out;
    take(s.restrict_stdin, &out.restrict_stdin);
    take(s.restrict_stdout, &out.restrict_stdout);
    take(s.restrict_signal, &out.restrict_signal);
    for (const InterpreterOptionsBlock* b : matching(s, process_group, application_group)) {
        take(b->restrict_stdin, &out.restrict_stdin);
        take(b->restrict_stdout, &out.restrict_stdout);
        take(b->restrict_signal, &out.restrict_signal);
        if (!b->python_path.empty()) out.python_path_layers.push_back(b->python_path);
    }
    return out;
}

double resolve_switch_interval(const PythonSettings& s, std::string_view process_group)
{
    double v = s.switch_interval;
    for (const InterpreterOptionsBlock* b : matching(s, process_group, {}))
        if (!b->application_group && b->switch_interval > 0) v = b->switch_interval;
    return v;
}

std::string parse_python_optimize(std::string_view v, int* level)
{
    if (v == "0" || v == "1" || v == "2") {
        *level = v[0] - '0';
        return {};
    }
    return "must be 0, 1 or 2 (Python's -O level: 1 removes assert statements and __debug__ code, 2 also "
           "docstrings), not '" + std::string(v) + "'";
}

std::string parse_hash_seed(std::string_view v, std::optional<std::uint32_t>* seed)
{
    if (v == "random") {
        seed->reset();
        return {};
    }
    bool digits = !v.empty() && v.size() <= 10 && std::all_of(v.begin(), v.end(), [](char c) {
        return c >= '0' && c <= '9';
    });
    unsigned long long n = digits ? std::strtoull(std::string(v).c_str(), nullptr, 10) : 0;
    if (!digits || n > 4294967295ULL)
        return "must be \"random\" or an integer in range [0; 4294967295], not '" + std::string(v) + "'";
    *seed = static_cast<std::uint32_t>(n);
    return {};
}

std::string parse_switch_interval(std::string_view v, double* seconds)
{
    double d = 0;
    if (!parse_number(v, &d) || d <= 0)
        return "must be a positive number of seconds (as sys.setswitchinterval() takes it, e.g. 0.005), not '" +
               std::string(v) + "'";
    *seconds = d;
    return {};
}

std::string parse_slow_requests(std::string_view v, double* seconds)
{
    double d = 0;
    if (!parse_number(v, &d) || d < 0)
        return "must be a number of seconds, 0 or more (e.g. 2.5), not '" + std::string(v) + "'";
    *seconds = d;
    return {};
}

// action:message:category:module:lineno, as Python's -W option and
// PYTHONWARNINGS take it (warnings._setoption): what Python would reject
// with "Invalid -W option ignored" is refused here instead. The message and
// module fields are free text; a category that does not exist can only be
// found out when Python starts.
std::string check_warning_spec(std::string_view v)
{
    std::vector<std::string_view> parts;
    size_t pos = 0;
    for (;;) {
        size_t colon = v.find(':', pos);
        parts.push_back(v.substr(pos, colon == std::string_view::npos ? std::string_view::npos : colon - pos));
        if (colon == std::string_view::npos) break;
        pos = colon + 1;
    }
    std::string spec = "'" + std::string(v) + "'";
    if (parts.size() > 5)
        return spec + " has more than 5 fields: expected action:message:category:module:lineno";
    std::string_view action = trim(parts[0]);
    static const char* const kActions[] = {"default", "always", "ignore", "module", "once", "error"};
    bool known = action.empty();  // empty: "default"
    for (const char* a : kActions)
        if (!action.empty() && std::string_view(a).starts_with(action)) known = true;
    if (!known)
        return spec + ": unknown action '" + std::string(action) +
               "' (expected default, always, ignore, module, once or error)";
    if (parts.size() > 2) {
        std::string_view category = trim(parts[2]);
        size_t start = 0;
        while (!category.empty()) {
            size_t dot = category.find('.', start);
            std::string_view piece = category.substr(start, dot == std::string_view::npos ? dot : dot - start);
            if (!is_identifier(piece))
                return spec + ": '" + std::string(category) +
                       "' is not a warning category name (a class such as DeprecationWarning or module.Class)";
            if (dot == std::string_view::npos) break;
            start = dot + 1;
        }
    }
    if (parts.size() > 4) {
        std::string_view lineno = trim(parts[4]);
        bool digits = std::all_of(lineno.begin(), lineno.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits || lineno.size() > 9) return spec + ": line number '" + std::string(lineno) + "' is not a number";
    }
    return {};
}

std::string parse_interpreter_selector(std::string_view word, InterpreterOptionsBlock& block)
{
    size_t eq = word.find('=');
    if (eq == std::string_view::npos)
        return "'" + std::string(word) + "' is not of the form process-group=NAME or application-group=NAME";
    std::string key(word.substr(0, eq));
    std::string value(word.substr(eq + 1));
    for (char& c : key) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (value == "%{GLOBAL}") value.clear();
    if (value.find("%{") != std::string::npos)
        return "'" + std::string(word) + "': only a literal name or %{GLOBAL} can be selected (the options apply "
               "when an interpreter is made, before any request names it)";
    std::optional<std::string>* slot = nullptr;
    if (key == "process-group")
        slot = &block.process_group;
    else if (key == "application-group")
        slot = &block.application_group;
    else
        return "unknown selector '" + key + "' (expected process-group= or application-group=)";
    if (*slot) return key + "= given more than once";
    *slot = std::move(value);
    return {};
}

}  // namespace wsgi
