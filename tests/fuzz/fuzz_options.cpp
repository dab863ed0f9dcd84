// fuzz_options: directive and option parsing (core/options.h):
// parse_alias_option, parse_on_off, check_application_group,
// expand_application_group, module_name_for.
//
// Input: lines split at '\n'. The first line is the word under test (a
// WSGIScriptAlias option word, and the same text as an application group
// spec). Every further line sets what the expansion sees:
//   "*server=TEXT"  the server name ("host:port"),
//   "*script=TEXT"  SCRIPT_NAME,
//   "NAME=VALUE"    an environment variable for %{ENV:NAME} (a later line
//                   wins); "NAME" alone sets it to the empty string.
// A variable named by no line is unset. The whole input (newlines and all)
// is also run through every function once, for memory errors and UB.
//
// Properties:
// - parse_alias_option accepts exactly "name=value" with a known name and a
//   value that name allows, then sets that one field to that value and no
//   other; a rejected word leaves the options as they were and says why.
// - parse_on_off is "on"/"off" in any ASCII case.
// - check_application_group accepts exactly the specs whose every "%{" opens
//   %{GLOBAL}, %{SERVER}, %{RESOURCE} or %{ENV:name} (name not empty).
// - expand_application_group, for a spec that check_application_group
//   accepts, equals a reference expansion written from the header: text
//   kept, variables replaced once (inserted text is never expanded again),
//   an unset or empty %{ENV:x} adds nothing (the spec "%{ENV:x}" alone falls
//   back to %{RESOURCE}). Unset and empty are the same. The environment is
//   asked only for names the spec writes as %{ENV:name}. No spec, valid or
//   not, without "%{" is changed.
// - module_name_for is "_mod_wsgi_" + 32 lower-case hex digits, the same for
//   a path and its ASCII lower-case form when case_sensitive is false.
#include "core/options.h"

#include "fuzz_check.h"

#include <map>
#include <set>
#include <vector>

namespace {

using fuzz::show;

struct World {
    std::string server = "www.example.com:8080";
    std::string script = "/app/%{SERVER}";  // a URL may carry "%{" once decoded
    std::map<std::string, std::string, std::less<>> env;
};

std::vector<std::string_view> split_lines(std::string_view in)
{
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (true) {
        std::size_t nl = in.find('\n', pos);
        out.push_back(in.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    return out;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool ascii_iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::optional<bool> ref_on_off(std::string_view w)
{
    if (ascii_iequals(w, "on")) return true;
    if (ascii_iequals(w, "off")) return false;
    return std::nullopt;
}

bool known_variable(std::string_view var)
{
    return var == "GLOBAL" || var == "SERVER" || var == "RESOURCE" || (var.size() > 4 && var.substr(0, 4) == "ENV:");
}

// Every "%{" up to the next '}' names a known variable.
bool ref_group_valid(std::string_view spec)
{
    for (std::size_t i = 0; i + 1 < spec.size(); ++i) {
        if (spec[i] != '%' || spec[i + 1] != '{') continue;
        std::size_t close = spec.find('}', i + 2);
        if (close == std::string_view::npos) return false;
        if (!known_variable(spec.substr(i + 2, close - i - 2))) return false;
        i = close;  // the loop's ++i steps past '}'
    }
    return true;
}

// The expansion of a valid spec, from the header's words.
std::string ref_expand(std::string_view spec, const World& w)
{
    const std::string resource = w.server + "|" + w.script;
    std::string out;
    std::size_t i = 0;
    while (i < spec.size()) {
        if (spec[i] == '%' && i + 1 < spec.size() && spec[i + 1] == '{') {
            std::size_t close = spec.find('}', i + 2);  // exists: the spec is valid
            std::string_view var = spec.substr(i + 2, close - i - 2);
            if (var == "SERVER") {
                out += w.server;
            } else if (var == "RESOURCE") {
                out += resource;
            } else if (var.substr(0, 4) == "ENV:") {
                auto it = w.env.find(var.substr(4));
                bool has_value = it != w.env.end() && !it->second.empty();
                if (has_value)
                    out += it->second;
                else if (i == 0 && close + 1 == spec.size())
                    return resource;  // the spec is exactly %{ENV:x}
            }  // GLOBAL: nothing
            i = close + 1;
        } else {
            out += spec[i++];
        }
    }
    return out;
}

// Whether spec writes %{ENV:name}.
bool env_reference_in(std::string_view spec, std::string_view name)
{
    std::string ref = "%{ENV:" + std::string(name) + "}";
    return spec.find(ref) != std::string_view::npos;
}

std::string expand(std::string_view spec, const World& w, std::vector<std::string>* asked)
{
    wsgi::GroupContext ctx;
    ctx.server = w.server;
    ctx.script_name = w.script;
    ctx.env = [&w, asked](std::string_view name) -> std::optional<std::string> {
        if (asked) asked->emplace_back(name);
        auto it = w.env.find(name);
        if (it == w.env.end()) return std::nullopt;
        return it->second;
    };
    return wsgi::expand_application_group(spec, ctx);
}

void check_alias_option(std::string_view word)
{
    wsgi::AliasOptions before;
    before.callable_object = "prev-callable";
    before.application_group = "prev-group";
    before.process_group = std::nullopt;
    before.pass_authorization = false;
    wsgi::AliasOptions o = before;
    std::string err = wsgi::parse_alias_option(word, o);

    std::size_t eq = word.find('=');
    bool accept = false;
    std::string_view name, value;
    if (eq != std::string_view::npos && eq > 0) {
        name = word.substr(0, eq);
        value = word.substr(eq + 1);
        accept = (name == "callable-object" && !value.empty()) ||
                 (name == "application-group" && ref_group_valid(value)) || name == "process-group" ||
                 (name == "pass-authorization" && ref_on_off(value).has_value());
    }
    FUZZ_CHECK(err.empty() == accept, "parse_alias_option accepts exactly the valid words: " + show(word) +
                                          " gave " + show(err));
    if (!accept) {
        FUZZ_CHECK(o.callable_object == before.callable_object && o.application_group == before.application_group &&
                       o.process_group == before.process_group && o.pass_authorization == before.pass_authorization,
                   "a rejected option word changes nothing: " + show(word));
        return;
    }
    wsgi::AliasOptions expect = before;
    if (name == "callable-object") expect.callable_object = std::string(value);
    if (name == "application-group") expect.application_group = std::string(value);
    if (name == "process-group") expect.process_group = std::string(value);
    if (name == "pass-authorization") expect.pass_authorization = ref_on_off(value);
    FUZZ_CHECK(o.callable_object == expect.callable_object && o.application_group == expect.application_group &&
                   o.process_group == expect.process_group && o.pass_authorization == expect.pass_authorization,
               "an accepted option word sets its own field to its value and nothing else: " + show(word));
}

void check_group(std::string_view spec, const World& w)
{
    bool valid = wsgi::check_application_group(spec).empty();
    FUZZ_CHECK(valid == ref_group_valid(spec), "check_application_group accepts exactly the known variables: " +
                                                   show(spec));

    std::vector<std::string> asked;
    std::string got = expand(spec, w, &asked);
    if (spec.find("%{") == std::string_view::npos)
        FUZZ_CHECK(got == spec, "a spec without %{ is kept as written: " + show(spec) + " -> " + show(got));
    for (const std::string& name : asked)
        FUZZ_CHECK(env_reference_in(spec, name), "the environment is asked only for names the spec writes as "
                                                 "%{ENV:name}: asked " + show(name) + " for " + show(spec));
    if (!valid) return;  // rejected at config time: never expanded at run time

    std::string want = ref_expand(spec, w);
    FUZZ_CHECK(got == want, "expansion of " + show(spec) + " is " + show(got) + ", expected " + show(want));

    // Unset and empty are one: the same spec with every variable it asks
    // for and that is unset set to "" expands the same.
    World w2 = w;
    for (const std::string& name : asked) w2.env.try_emplace(name, "");
    std::string got2 = expand(spec, w2, nullptr);
    FUZZ_CHECK(got2 == got, "an unset %{ENV:x} and an empty one expand alike: " + show(spec) + ": " + show(got) +
                                " vs " + show(got2));
}

void check_module_name(std::string_view path)
{
    static const char hex[] = "0123456789abcdef";
    for (bool cs : {true, false}) {
        std::string n = wsgi::module_name_for(path, cs);
        FUZZ_CHECK(n.size() == 10 + 32 && n.compare(0, 10, "_mod_wsgi_") == 0, "module name format: " + show(n));
        for (std::size_t i = 10; i < n.size(); ++i)
            FUZZ_CHECK(std::string_view(hex).find(n[i]) != std::string_view::npos,
                       "module name is lower-case hex: " + show(n));
    }
    std::string lowered(path);
    for (char& c : lowered) c = lower(c);
    FUZZ_CHECK(wsgi::module_name_for(path, false) == wsgi::module_name_for(lowered, true),
               "case-insensitive names are the lower-cased path's: " + show(path));
}

void check_word(std::string_view word, const World& w)
{
    FUZZ_CHECK(wsgi::parse_on_off(word) == ref_on_off(word), "parse_on_off of " + show(word));
    check_alias_option(word);
    check_group(word, w);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::vector<std::string_view> lines = split_lines(in);
    World w;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        std::string_view l = lines[i];
        std::size_t eq = l.find('=');
        std::string_view name = l.substr(0, eq);
        std::string value(eq == std::string_view::npos ? std::string_view() : l.substr(eq + 1));
        if (name == "*server")
            w.server = value;
        else if (name == "*script")
            w.script = value;
        else
            w.env.insert_or_assign(std::string(name), value);
    }
    check_word(lines[0], w);
    check_module_name(lines[0]);
    if (lines.size() > 1) check_word(in, w);  // newlines inside: crashes and UB only matter
    return 0;
}
