// script_index.h - the scripts a configuration can serve, by module name
// (WSGIPickleResolve, docs/pickle.md): pure rules, no httpd and no Python.
//
// A Place is one thing the configuration names: a script file
// (WSGIScriptAlias to a file, WSGIImportScript) or a directory whose files
// requests can reach as scripts (a WSGIScriptAlias directory target, a
// <Directory> with the wsgi-script handler). build() turns the places into
// an Index, "_mod_wsgi_<md5>" -> the file, by a scan that is bounded by
// Limits: never deeper, never more entries, whatever is on disk. check()
// decides, just before a load, whether an entry may still be loaded (the file
// is a regular file and, for a directory's file, its real path is still
// inside the directory's real path: no symlink or ".." leads out).
//
// Thread safety: an Index is immutable once built; build() and check() touch
// only the file system and their arguments.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wsgi::script_index {

// "_mod_wsgi_" + 32 lower-case hex digits: what a name must look like
// before anything else is done with it (hostile data is normal input).
bool is_script_module_name(std::string_view name);

enum class PlaceKind { kFile, kTree };

struct Place {
    PlaceKind kind = PlaceKind::kFile;
    std::string path;    // absolute: the file, or the directory
    std::string source;  // which directive, where: "WSGIScriptAlias /a (/etc/x.conf:3)"
    // kTree only. A file is indexed when its name passes the filter and its
    // directory passes accept_dir (both optional).
    std::vector<std::string> extensions;  // AddHandler's, lower case, no dot: mod_mime's rule
    std::string name_glob;                // fnmatch() pattern a file's name must match ("" any)
    std::size_t max_depth = 8;            // 0: files directly in `path` only
    std::function<bool(const std::string& dir)> accept_dir;    // e.g. ExecCGI on there
    std::function<bool(const std::string& name)> accept_name;  // e.g. a <FilesMatch> regex
};

struct Limits {
    std::size_t max_depth = 8;          // directory levels below a directory place
    std::size_t max_files = 10000;      // files indexed per directory place
    std::size_t max_dirs = 2000;        // directories read per directory place
    std::size_t max_entries = 100000;   // names in the whole index
};

struct Entry {
    std::string path;    // the file, as requests name it (its module name is made from this)
    std::string root;    // kTree: the directory it was found in; kFile: the file itself
    PlaceKind kind = PlaceKind::kFile;
    std::size_t place = 0;  // index into the places the Index was built from
};

struct Index {
    std::unordered_map<std::string, Entry> by_name;
    std::vector<std::string> notes;   // what the limits cut off (for the log, as warnings)
    std::vector<std::string> absent;  // directory places that cannot be read (yet)
    std::size_t dirs_read = 0, files_seen = 0;
    double took_ms = 0;

    const Entry* find(std::string_view name) const;
    // Names, sorted (the manifest's order).
    std::vector<std::string> names() const;
};

// The module name of a path (case_sensitive false: WSGICaseSensitivity Off).
std::string module_name(std::string_view path, bool case_sensitive);

// A directory's path as requests build file names below it: no trailing
// slash (except "/"), no repeated slashes.
std::string directory_prefix(std::string_view dir);

// mod_mime's rule: does `name` carry one of `extensions` (each dotted part
// after the first counts; case-insensitive)?
bool has_extension(std::string_view name, const std::vector<std::string>& extensions);

Index build(const std::vector<Place>& places, bool case_sensitive, const Limits& limits = {});

// "" when `e` may be loaded now, else why not (for the log). `place`: the
// entry's place, whose accept_dir is asked again (a .htaccess may have
// appeared since the scan).
std::string check(const Entry& e, const Place* place = nullptr);

// Does the real path `inner` lie inside the real directory `outer`?
bool inside(std::string_view inner, std::string_view outer);

// The manifest written by WSGIScriptManifest: JSON, names sorted.
struct ManifestInfo {
    std::string server;        // ServerName of the main server
    double generated_at = 0;   // seconds since the epoch
    bool case_sensitive = true;
};
std::string manifest_json(const Index& index, const std::vector<Place>& places, const ManifestInfo& info);

// A JSON string literal of `s` (bytes that are not UTF-8 become \udcXX,
// Python's surrogateescape, so os.fsencode() gives the bytes back).
std::string json_string(std::string_view s);

// Write `text` to `path` atomically (a temporary file beside it, then
// rename), mode 0644. "" on success, else the error.
std::string write_atomically(const std::string& path, const std::string& text);

}  // namespace wsgi::script_index
