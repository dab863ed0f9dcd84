// script_index.cpp - see script_index.h.
#include "core/script_index.h"

#include "core/options.h"
#include "core/text.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fnmatch.h>
#include <fstream>
#include <random>
#include <system_error>

namespace fs = std::filesystem;

namespace wsgi::script_index {

namespace {

constexpr std::string_view kPrefix = "_mod_wsgi_";

bool hidden(std::string_view name) { return !name.empty() && name[0] == '.'; }

std::string join(const std::string& dir, const std::string& name)
{
    return dir == "/" ? "/" + name : dir + "/" + name;
}

std::string dirname_of(const std::string& path)
{
    auto slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0) return "/";
    return path.substr(0, slash);
}

struct Scan {
    Index& index;
    const Limits& limits;
    bool case_sensitive;
    std::size_t place_no;

    bool full() const { return index.by_name.size() >= limits.max_entries; }

    void add(const std::string& path, const std::string& root, PlaceKind kind)
    {
        Entry e{path, root, kind, place_no};
        index.by_name.emplace(module_name(path, case_sensitive), std::move(e));
    }

    // One directory place: breadth first, sorted, bounded.
    void tree(const Place& p)
    {
        const std::string root = directory_prefix(p.path);
        std::error_code ec;
        fs::path real_root = fs::canonical(root, ec);
        if (ec || !fs::is_directory(real_root, ec)) {
            index.absent.push_back(p.source + ": directory " + root + " cannot be read (" +
                                  (ec ? ec.message() : "not a directory") + "): nothing indexed there");
            return;
        }
        const std::string real = real_root.string();
        const std::size_t depth_limit = std::min(p.max_depth, limits.max_depth);
        std::vector<std::pair<std::string, std::size_t>> queue{{root, 0}};
        std::size_t files = 0, dirs = 0;
        bool cut_files = false, cut_dirs = false, cut_depth = false;
        for (std::size_t q = 0; q < queue.size(); ++q) {
            auto [dir, depth] = queue[q];
            if (dirs >= limits.max_dirs) {
                cut_dirs = true;
                break;
            }
            ++dirs;
            ++index.dirs_read;
            bool files_here = !p.accept_dir || p.accept_dir(dir);
            std::vector<std::string> names;
            for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
                std::string name = it->path().filename().string();
                if (!hidden(name)) names.push_back(std::move(name));
            }
            ec.clear();
            std::sort(names.begin(), names.end());
            for (const std::string& name : names) {
                std::string path = join(dir, name);
                fs::file_status st = fs::symlink_status(path, ec);
                if (ec) {
                    ec.clear();
                    continue;
                }
                ++index.files_seen;
                if (fs::is_directory(st)) {
                    if (depth < depth_limit)
                        queue.emplace_back(path, depth + 1);
                    else
                        cut_depth = true;
                    continue;
                }
                if (!files_here) continue;
                if (!p.extensions.empty() && !has_extension(name, p.extensions)) continue;
                if (!p.name_glob.empty() && fnmatch(p.name_glob.c_str(), name.c_str(), FNM_PERIOD) != 0) continue;
                if (p.accept_name && !p.accept_name(name)) continue;
                if (fs::is_symlink(st)) {
                    // A link is a script of this directory only if what it
                    // leads to is a file inside it. Linked directories are
                    // not followed (no loops, no way out).
                    fs::path target = fs::canonical(path, ec);
                    if (ec || !fs::is_regular_file(target, ec) || !inside(target.string(), real)) {
                        ec.clear();
                        continue;
                    }
                } else if (!fs::is_regular_file(st)) {
                    continue;
                }
                if (files >= limits.max_files || full()) {
                    cut_files = true;
                    break;
                }
                ++files;
                add(path, root, PlaceKind::kTree);
            }
            if (cut_files) break;
        }
        if (cut_files)
            index.notes.push_back(p.source + ": " + root + " has more than " + std::to_string(limits.max_files) +
                                  " script files (or the index is full): the rest are not indexed");
        if (cut_dirs)
            index.notes.push_back(p.source + ": " + root + " has more than " + std::to_string(limits.max_dirs) +
                                  " directories: the rest are not indexed");
        if (cut_depth)
            index.notes.push_back(p.source + ": directories deeper than " + std::to_string(depth_limit) +
                                  " levels below " + root + " are not indexed");
    }
};

}  // namespace

bool is_script_module_name(std::string_view name)
{
    if (name.size() != kPrefix.size() + 32 || !name.starts_with(kPrefix)) return false;
    for (char c : name.substr(kPrefix.size()))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::string module_name(std::string_view path, bool case_sensitive) { return module_name_for(path, case_sensitive); }

std::string directory_prefix(std::string_view dir)
{
    std::string out;
    out.reserve(dir.size());
    for (char c : dir)
        if (!(c == '/' && !out.empty() && out.back() == '/')) out += c;
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
}

bool has_extension(std::string_view name, const std::vector<std::string>& extensions)
{
    auto dot = name.find('.');
    while (dot != std::string_view::npos) {
        auto next = name.find('.', dot + 1);
        std::string ext = ascii_lower(name.substr(dot + 1, next == std::string_view::npos ? next : next - dot - 1));
        if (!ext.empty() && std::find(extensions.begin(), extensions.end(), ext) != extensions.end()) return true;
        dot = next;
    }
    return false;
}

bool inside(std::string_view inner, std::string_view outer)
{
    if (outer == "/") return inner.size() > 1 && inner[0] == '/';
    return inner.size() > outer.size() + 1 && inner.starts_with(outer) && inner[outer.size()] == '/';
}

const Entry* Index::find(std::string_view name) const
{
    if (!is_script_module_name(name)) return nullptr;
    auto it = by_name.find(std::string(name));
    return it == by_name.end() ? nullptr : &it->second;
}

std::vector<std::string> Index::names() const
{
    std::vector<std::string> out;
    out.reserve(by_name.size());
    for (const auto& [name, e] : by_name) out.push_back(name);
    std::sort(out.begin(), out.end());
    return out;
}

Index build(const std::vector<Place>& places, bool case_sensitive, const Limits& limits)
{
    auto started = std::chrono::steady_clock::now();
    Index index;
    for (std::size_t i = 0; i < places.size(); ++i) {
        Scan scan{index, limits, case_sensitive, i};
        const Place& p = places[i];
        if (scan.full()) {
            index.notes.push_back(p.source + ": the index already holds " + std::to_string(limits.max_entries) +
                                  " scripts: not indexed");
            continue;
        }
        if (p.kind == PlaceKind::kFile)
            scan.add(p.path, p.path, PlaceKind::kFile);
        else
            scan.tree(p);
    }
    index.took_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    return index;
}

std::string check(const Entry& e, const Place* place)
{
    std::error_code ec;
    if (place && place->accept_dir && !place->accept_dir(dirname_of(e.path)))
        return "the configuration no longer lets files of '" + dirname_of(e.path) + "' run as scripts";
    if (e.kind == PlaceKind::kFile) {
        if (!fs::is_regular_file(e.path, ec)) return "'" + e.path + "' is not a regular file (or does not exist)";
        return {};
    }
    fs::path real = fs::canonical(e.path, ec);
    if (ec) return "'" + e.path + "' cannot be resolved: " + ec.message();
    fs::path root = fs::canonical(e.root, ec);
    if (ec) return "its directory '" + e.root + "' cannot be resolved: " + ec.message();
    if (!inside(real.string(), root.string()))
        return "'" + e.path + "' now leads to '" + real.string() + "', outside '" + root.string() + "'";
    if (!fs::is_regular_file(real, ec)) return "'" + e.path + "' is not a regular file";
    return {};
}

std::string json_string(std::string_view s)
{
    std::string out = "\"";
    auto u = [](std::string_view v, std::size_t i) { return static_cast<unsigned char>(v[i]); };
    char buf[8];
    for (std::size_t i = 0; i < s.size();) {
        unsigned char c = u(s, i);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
            ++i;
        } else if (c < 0x20 || c == 0x7f) {
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
            ++i;
        } else if (c < 0x80) {
            out += static_cast<char>(c);
            ++i;
        } else {
            // A whole, minimal UTF-8 sequence is copied; any other byte
            // becomes the lone surrogate Python's surrogateescape gives it.
            std::size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
            bool ok = n > 0 && i + n <= s.size();
            for (std::size_t k = 1; ok && k < n; ++k) ok = (u(s, i + k) & 0xc0) == 0x80;
            if (ok && n == 3) {
                unsigned char c1 = u(s, i + 1);
                ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);  // overlong, surrogates
            }
            if (ok && n == 4) {
                unsigned char c1 = u(s, i + 1);
                ok = !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
            }
            if (ok) {
                out.append(s.substr(i, n));
                i += n;
            } else {
                std::snprintf(buf, sizeof buf, "\\udc%02x", c);
                out += buf;
                ++i;
            }
        }
    }
    out += '"';
    return out;
}

std::string manifest_json(const Index& index, const std::vector<Place>& places, const ManifestInfo& info)
{
    char when[64];
    std::snprintf(when, sizeof when, "%.3f", info.generated_at);
    std::string out = "{\n  \"format\": \"wsgiscript-manifest\",\n  \"version\": 1,\n";
    out += "  \"generated_at\": " + std::string(when) + ",\n";
    out += "  \"server\": " + json_string(info.server) + ",\n";
    out += std::string("  \"case_sensitive\": ") + (info.case_sensitive ? "true" : "false") + ",\n";
    out += "  \"scripts\": {";
    bool first = true;
    for (const std::string& name : index.names()) {
        const Entry& e = index.by_name.at(name);
        out += first ? "\n" : ",\n";
        first = false;
        out += "    " + json_string(name) + ": {\"path\": " + json_string(e.path) + ", \"root\": " + json_string(e.root) +
               ", \"kind\": " + (e.kind == PlaceKind::kFile ? "\"file\"" : "\"tree\"") +
               ", \"source\": " + json_string(e.place < places.size() ? places[e.place].source : "") + "}";
    }
    out += first ? "}\n}\n" : "\n  }\n}\n";
    return out;
}

std::string write_atomically(const std::string& path, const std::string& text)
{
    std::random_device rd;
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".tmp.%08x", static_cast<unsigned>(rd()));
    std::string tmp = path + suffix;
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f) return "cannot create '" + tmp + "'";
        f.write(text.data(), static_cast<std::streamsize>(text.size()));
        f.flush();
        if (!f) {
            std::error_code ignored;
            fs::remove(tmp, ignored);
            return "cannot write '" + tmp + "'";
        }
    }
    std::error_code ec;
    fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read,
                    ec);
    fs::rename(tmp, path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        return "cannot rename '" + tmp + "' to '" + path + "': " + ec.message();
    }
    return {};
}

}  // namespace wsgi::script_index
