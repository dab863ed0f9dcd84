// resolve_index.cpp - see resolve_index.h.
#include "httpd/resolve_index.h"

#include "base/boundary.h"
#include "core/script_index.h"
#include "features/pickle_resolve.h"
#include "httpd/config.h"

#include <apr_fnmatch.h>
#include <apr_lib.h>
#include <mpm_common.h>
#include <util_cfgtree.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace wsgi {

namespace {

using script_index::Place;
using script_index::PlaceKind;

constexpr const char* kHandlers[] = {"wsgi-script", "application/x-httpd-wsgi"};

bool is_wsgi_handler(std::string_view h)
{
    for (const char* k : kHandlers)
        if (strcasecmp(std::string(h).c_str(), k) == 0) return true;
    return false;
}

bool is_dir(const char* path, apr_pool_t* p)
{
    apr_finfo_t fi;
    return apr_stat(&fi, path, APR_FINFO_TYPE, p) == APR_SUCCESS && fi.filetype == APR_DIR;
}

std::string lower_ext(std::string_view e)
{
    while (!e.empty() && e[0] == '.') e.remove_prefix(1);
    std::string out(e);
    for (char& c : out) c = static_cast<char>(apr_tolower(c));
    return out;
}

// The words of a directive's arguments, as httpd splits them (quotes honoured).
std::vector<std::string> words(apr_pool_t* p, const char* args)
{
    std::vector<std::string> out;
    const char* rest = args ? args : "";
    while (*rest) {
        const char* w = ap_getword_conf(p, &rest);
        if (!*w) break;
        out.emplace_back(w);
    }
    return out;
}

// A section's argument without the closing '>' and quotes ("" when none).
std::vector<std::string> section_words(apr_pool_t* p, const ap_directive_t* node)
{
    std::string args = node->args ? node->args : "";
    auto gt = args.rfind('>');
    if (gt != std::string::npos) args.erase(gt);
    return words(p, args.c_str());
}

std::string where(const ap_directive_t* node)
{
    return std::string(node->filename ? node->filename : "?") + ":" + std::to_string(node->line_num);
}

// ---- what the configuration says ---------------------------------------------

// A SetHandler/AddHandler naming wsgi-script, or one that takes files away
// from it (another handler, RemoveHandler).
struct HandlerLine {
    bool wsgi = false;
    bool set_handler = false;             // SetHandler (every file) rather than AddHandler/RemoveHandler
    std::vector<std::string> extensions;  // AddHandler/RemoveHandler's
    server_rec* server = nullptr;         // the <VirtualHost> it is in, or the main server
    bool server_level = true;             // not inside any section
    std::string dir;                      // the literal <Directory> it is in ("" none)
    std::string unsupported;              // a section this module does not follow, when in one
    std::string files_glob;               // <Files pattern>
    ap_regex_t* files_regex = nullptr;    // <FilesMatch> / <Files ~>
    std::string source;
};

struct ConfigFacts {
    std::vector<HandlerLine> handlers;
    std::vector<std::string> url_roots;  // DocumentRoots and Alias targets: where URLs lead
};

server_rec* vhost_of(server_rec* main, const ap_directive_t* node)
{
    for (server_rec* s = main->next; s; s = s->next)
        if (s->defn_name && node->filename && static_cast<int>(s->defn_line_number) == node->line_num &&
            strcmp(s->defn_name, node->filename) == 0)
            return s;
    return main;
}

struct Context {
    server_rec* server;
    bool server_level = true;
    std::string dir;
    std::string unsupported;
    std::string files_glob;
    ap_regex_t* files_regex = nullptr;
};

void walk(const ap_directive_t* node, Context ctx, server_rec* main, apr_pool_t* p, ConfigFacts& facts)
{
    for (; node; node = node->next) {
        const char* d = node->directive ? node->directive : "";
        if (*d == '<') {
            Context inner = ctx;
            std::vector<std::string> w = section_words(p, node);
            if (!strcasecmp(d, "<VirtualHost")) {
                inner.server = vhost_of(main, node);
            } else if (!strcasecmp(d, "<Directory")) {
                inner.server_level = false;
                if (w.size() == 1 && w[0][0] == '/' && !ap_is_matchexp(w[0].c_str())) {
                    char* path = nullptr;
                    if (apr_filepath_merge(&path, nullptr, w[0].c_str(), APR_FILEPATH_TRUENAME, p) == APR_SUCCESS)
                        inner.dir = script_index::directory_prefix(path);
                    else
                        inner.unsupported = "<Directory " + w[0] + ">";
                } else {
                    inner.unsupported = std::string("<Directory ") + (w.empty() ? "" : w.back()) +
                                        "> (a regular expression, a wildcard or a relative path)";
                }
            } else if (!strcasecmp(d, "<Files") || !strcasecmp(d, "<FilesMatch")) {
                inner.server_level = false;
                bool regex = !strcasecmp(d, "<FilesMatch") || (w.size() == 2 && w[0] == "~");
                if (w.empty()) {
                    inner.unsupported = d;
                } else if (regex) {
                    inner.files_regex = ap_pregcomp(p, w.back().c_str(), AP_REG_EXTENDED);
                    if (!inner.files_regex) inner.unsupported = std::string(d) + " " + w.back();
                } else {
                    inner.files_glob = w.back();
                }
            } else {
                // <Location>, <LocationMatch>, <DirectoryMatch>, <If>, <Proxy>...:
                // URL space or conditions, not files: not followed.
                inner.server_level = false;
                inner.unsupported = std::string(d) + (w.empty() ? "" : " " + w.front()) + ">";
            }
            walk(node->first_child, inner, main, p, facts);
            continue;
        }
        bool set = !strcasecmp(d, "SetHandler"), add = !strcasecmp(d, "AddHandler"),
             remove = !strcasecmp(d, "RemoveHandler");
        if (set || add || remove) {
            std::vector<std::string> w = words(p, node->args);
            if (w.empty()) continue;
            HandlerLine h;
            h.set_handler = set;
            h.wsgi = !remove && is_wsgi_handler(w[0]);
            for (size_t i = remove ? 0 : 1; i < w.size(); ++i) h.extensions.push_back(lower_ext(w[i]));
            h.server = ctx.server;
            h.server_level = ctx.server_level;
            h.dir = ctx.dir;
            h.unsupported = ctx.unsupported;
            h.files_glob = ctx.files_glob;
            h.files_regex = ctx.files_regex;
            h.source = std::string(d) + " " + (node->args ? node->args : "") + " (" + where(node) + ")";
            facts.handlers.push_back(std::move(h));
        } else if (!strcasecmp(d, "Alias") || !strcasecmp(d, "AliasMatch")) {
            std::vector<std::string> w = words(p, node->args);
            if (w.size() < 2 || w[1][0] != '/') continue;
            std::string target = w[1];
            if (!strcasecmp(d, "AliasMatch")) {
                auto cut = target.find_first_of("$&");
                target = target.substr(0, cut);
                target = target.substr(0, target.rfind('/') + 1);
            }
            facts.url_roots.push_back(script_index::directory_prefix(target));
        }
    }
}

bool under_or_at(const std::string& dir, const std::string& root)
{
    return dir == root || script_index::inside(dir, root);
}

// Core's per-directory configuration of `dir` for server s: the <Directory>
// sections that apply, merged as the directory walk merges them.
const core_dir_config* effective_core(server_rec* s, const std::string& dir, apr_pool_t* p)
{
    auto* sconf = static_cast<core_server_config*>(ap_get_core_module_config(s->module_config));
    void* merged = ap_get_core_module_config(s->lookup_defaults);
    std::string test = dir == "/" ? dir : dir + "/";
    auto** secs = reinterpret_cast<ap_conf_vector_t**>(sconf->sec_dir->elts);
    for (int i = 0; i < sconf->sec_dir->nelts; ++i) {
        auto* e = static_cast<core_dir_config*>(ap_get_core_module_config(secs[i]));
        if (!e || !e->d) continue;
        bool match;
        if (e->r) {
            match = ap_regexec(e->r, test.c_str(), 0, nullptr, 0) == 0;
        } else if (e->d_is_fnmatch) {
            size_t cut = 0;
            unsigned n = 0;
            while (cut < test.size() && n < e->d_components) {
                if (test[cut] == '/') ++n;
                ++cut;
            }
            match = n == e->d_components && apr_fnmatch(e->d, test.substr(0, cut).c_str(), APR_FNM_PATHNAME) == APR_SUCCESS;
        } else {
            match = std::string_view(test).starts_with(e->d);
        }
        if (match && core_module.merge_dir_config) merged = core_module.merge_dir_config(p, merged, e);
    }
    return static_cast<const core_dir_config*>(merged);
}

bool overrides_allowed(const core_dir_config* c)
{
    return c->override != OR_NONE || (c->override_list && !apr_is_empty_table(c->override_list));
}

// Files of `dir` run as wsgi-script handler scripts only with ExecCGI, and
// only as the main configuration says when no access file (.htaccess) with
// overrides allowed could say otherwise there or above, up to `root`.
bool handler_dir_ok(server_rec* s, const std::string& root, const std::vector<std::string>& excluded,
                    const std::string& dir)
{
    for (const std::string& x : excluded)
        if (under_or_at(dir, x)) return false;
    apr_pool_t* p = nullptr;
    if (apr_pool_create(&p, nullptr) != APR_SUCCESS) return false;
    bool ok = (effective_core(s, dir, p)->opts & OPT_EXECCGI) != 0;
    auto* sconf = static_cast<core_server_config*>(ap_get_core_module_config(s->module_config));
    std::vector<std::string> names = words(p, sconf->access_name ? sconf->access_name : ".htaccess");
    for (std::string d = dir; ok; d = d.substr(0, std::max<size_t>(d.rfind('/'), 1))) {
        for (const std::string& n : names) {
            apr_finfo_t fi;
            std::string f = (d == "/" ? d : d + "/") + n;
            if (apr_stat(&fi, f.c_str(), APR_FINFO_TYPE, p) == APR_SUCCESS && overrides_allowed(effective_core(s, d, p)))
                ok = false;
        }
        if (d == root || d == "/" || !script_index::inside(d, root)) break;
    }
    apr_pool_destroy(p);
    return ok;
}

// Does line `o` take files of `h`'s kind away from the wsgi-script handler?
bool conflicts(const HandlerLine& h, const HandlerLine& o)
{
    if (o.wsgi) return false;
    if (o.set_handler) return true;  // SetHandler anything else (also None) wins over both
    if (h.set_handler) return false;  // AddHandler/RemoveHandler do not undo a SetHandler
    if (o.extensions.empty()) return false;
    for (const std::string& e : o.extensions)
        if (std::find(h.extensions.begin(), h.extensions.end(), e) != h.extensions.end()) return true;
    return false;
}

struct Collected {
    std::vector<Place> places;
    std::vector<std::string> notes;

    void add(Place p)
    {
        for (const Place& q : places)
            if (q.kind == p.kind && q.path == p.path && q.extensions == p.extensions && q.name_glob == p.name_glob &&
                !q.accept_dir && !p.accept_dir && !q.accept_name && !p.accept_name)
                return;
        places.push_back(std::move(p));
    }
};

// fnmatch() pattern of a WSGIScriptAliasMatch target's file name: $N and &
// (ap_pregsub's substitutions) match anything, the rest literally.
std::string glob_of(std::string_view name)
{
    std::string out;
    for (size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        if (c == '$' && i + 1 < name.size() && apr_isdigit(name[i + 1])) {
            out += '*';
            ++i;
        } else if (c == '&') {
            out += '*';
        } else if (c == '\\' && i + 1 < name.size() && (name[i + 1] == '$' || name[i + 1] == '&')) {
            out += name[++i];
        } else {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
            out += c;
        }
    }
    return out;
}

void from_directives(server_rec* s, apr_pool_t* p, Collected& c)
{
    const ServerConfig* sc = server_config(s);
    for (const ScriptAlias& a : aliases_of(sc)) {
        std::string source = std::string(a.regex ? "WSGIScriptAliasMatch " : "WSGIScriptAlias ") + a.location + " (" +
                             (a.defined_in ? a.defined_in : "?") + ")";
        Place pl;
        pl.source = source;
        std::string target = a.target;
        if (a.regex && target.find_first_of("$&") != std::string::npos) {
            auto slash = target.rfind('/');
            std::string dir = target.substr(0, slash), name = target.substr(slash + 1);
            if (dir.find_first_of("$&") != std::string::npos || name.empty()) {
                c.notes.push_back(source + ": the target " + target +
                                  " substitutes into a directory name: its scripts are not indexed");
                continue;
            }
            pl.kind = PlaceKind::kTree;
            pl.path = dir.empty() ? "/" : dir;
            pl.name_glob = glob_of(name);
            pl.max_depth = 0;
        } else if (is_dir(a.target, p) || (!a.regex && target.back() == '/')) {
            pl.kind = PlaceKind::kTree;
            pl.path = target;
        } else {
            pl.kind = PlaceKind::kFile;
            pl.path = target;
        }
        c.add(std::move(pl));
    }
    for (const ImportScript& i : imports_of(sc)) {
        Place pl;
        pl.path = i.path;
        pl.source = std::string("WSGIImportScript (") + (i.defined_in ? i.defined_in : "?") + ")";
        c.add(std::move(pl));
    }
}

void from_handlers(server_rec* main, const ConfigFacts& facts, Collected& c)
{
    for (const HandlerLine& h : facts.handlers) {
        if (!h.wsgi) continue;
        bool on = false;
        if (h.server == main) {
            for (server_rec* s = main; s && !on; s = s->next) on = pickle_resolve_of(server_config(s));
        } else {
            on = pickle_resolve_of(server_config(h.server));
        }
        if (!on) continue;
        if (!h.unsupported.empty()) {
            c.notes.push_back(h.source + ": inside " + h.unsupported +
                              ", which this index does not follow: those scripts are not indexed");
            continue;
        }
        // Where the files are: the <Directory>, else the DocumentRoot of each
        // server this line applies to.
        std::vector<std::pair<std::string, server_rec*>> roots;
        if (!h.dir.empty()) {
            roots.emplace_back(h.dir, h.server);
        } else {
            for (server_rec* s = h.server; s; s = h.server == main ? s->next : nullptr) {
                if (!pickle_resolve_of(server_config(s))) continue;
                auto* sconf = static_cast<core_server_config*>(ap_get_core_module_config(s->module_config));
                if (sconf->ap_document_root)
                    roots.emplace_back(script_index::directory_prefix(sconf->ap_document_root), s);
            }
        }
        for (const auto& [root, server] : roots) {
            bool reached = false;
            for (const std::string& u : facts.url_roots) reached = reached || under_or_at(root, u);
            if (!reached) {
                c.notes.push_back(h.source + ": no DocumentRoot or Alias leads to " + root +
                                  ": its scripts are not indexed");
                continue;
            }
            std::vector<std::string> excluded;
            bool whole = false;
            for (const HandlerLine& o : facts.handlers) {
                if (&o == &h || !conflicts(h, o) || o.dir.empty()) continue;
                if (o.dir == root && !h.dir.empty()) whole = true;
                else if (script_index::inside(o.dir, root)) excluded.push_back(o.dir);
            }
            if (whole) {
                c.notes.push_back(h.source + ": another section for " + root +
                                  " changes the handler: its scripts are not indexed");
                continue;
            }
            Place pl;
            pl.kind = PlaceKind::kTree;
            pl.path = root;
            pl.source = h.source;
            pl.extensions = h.set_handler ? std::vector<std::string>{} : h.extensions;
            if (!h.set_handler && pl.extensions.empty()) continue;
            pl.name_glob = h.files_glob;
            if (ap_regex_t* re = h.files_regex)
                pl.accept_name = [re](const std::string& name) { return ap_regexec(re, name.c_str(), 0, nullptr, 0) == 0; };
            pl.accept_dir = [server = server, root = root, excluded](const std::string& dir) {
                return handler_dir_ok(server, root, excluded, dir);
            };
            c.add(std::move(pl));
        }
    }
}

Collected collect(server_rec* main, apr_pool_t* p)
{
    Collected c;
    for (server_rec* s = main; s; s = s->next)
        if (pickle_resolve_of(server_config(s))) from_directives(s, p, c);
    ConfigFacts facts;
    for (server_rec* s = main; s; s = s->next) {
        auto* sconf = static_cast<core_server_config*>(ap_get_core_module_config(s->module_config));
        if (sconf->ap_document_root) facts.url_roots.push_back(script_index::directory_prefix(sconf->ap_document_root));
    }
    Context top{main};
    walk(ap_conftree, top, main, p, facts);
    from_handlers(main, facts, c);
    return c;
}

// ---- the index in the parent ----------------------------------------------------

std::string g_manifest;  // WSGIScriptManifest of the generation in force ("" none)
apr_time_t g_last_scan = 0;

void write_manifest(server_rec* main, const pickle_resolve::Catalog& cat)
{
    if (g_manifest.empty()) return;
    script_index::ManifestInfo info;
    info.server = main->server_hostname ? main->server_hostname : "";
    info.generated_at = static_cast<double>(apr_time_now()) / APR_USEC_PER_SEC;
    info.case_sensitive = cat.case_sensitive;
    std::string err =
        script_index::write_atomically(g_manifest, script_index::manifest_json(cat.index, cat.places, info));
    if (!err.empty())
        log_fmt(LogTarget::of(main), APLOG_ERR, "WSGIS0325", "WSGIScriptManifest: the manifest was not written: %s",
                err.c_str());
    else
        log_fmt(LogTarget::of(main), APLOG_INFO, "WSGIS0328", "WSGIScriptManifest: %zu scripts written to %s",
                cat.index.by_name.size(), g_manifest.c_str());
}

void log_index(server_rec* main, const pickle_resolve::Catalog& cat, const char* when)
{
    LogTarget to = LogTarget::of(main);
    for (const std::string& n : cat.index.notes) log_line(to, APLOG_WARNING, "WSGIS0321", "WSGIPickleResolve: " + n);
    for (const std::string& n : cat.index.absent) log_line(to, APLOG_INFO, "WSGIS0329", "WSGIPickleResolve: " + n);
    log_fmt(to, APLOG_INFO, "WSGIS0320",
            "WSGIPickleResolve: index %s: %zu scripts from %zu places (%zu directories read, %zu entries looked "
            "at, %.1f ms)",
            when, cat.index.by_name.size(), cat.places.size(), cat.index.dirs_read, cat.index.files_seen,
            cat.index.took_ms);
}

bool same_scripts(const script_index::Index& a, const script_index::Index& b)
{
    if (a.by_name.size() != b.by_name.size()) return false;
    for (const auto& [name, e] : a.by_name) {
        auto it = b.by_name.find(name);
        if (it == b.by_name.end() || it->second.path != e.path) return false;
    }
    return true;
}

int post_config(apr_pool_t* pconf, apr_pool_t*, apr_pool_t*, server_rec* main)
{
    server_entry(main, "building the WSGIPickleResolve index", [&] {
        if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG ||
            ap_state_query(AP_SQ_RUN_MODE) != AP_SQ_RM_NORMAL)
            return;
        const ServerConfig* sc = server_config(main);
        g_manifest = sc->script_manifest ? sc->script_manifest : "";
        if (!pickle_resolve_anywhere(main)) {
            pickle_resolve::set_catalog(nullptr);
            if (!g_manifest.empty())
                log_line(LogTarget::of(main), APLOG_WARNING, "WSGIS0329",
                         "WSGIScriptManifest is set but no server has WSGIPickleResolve On: no manifest is written");
            g_manifest.clear();
            return;
        }
        Collected c = collect(main, pconf);  // pconf: the places keep regexes compiled here
        for (const std::string& n : c.notes) log_line(LogTarget::of(main), APLOG_INFO, "WSGIS0329", "WSGIPickleResolve: " + n);
        auto cat = std::make_shared<pickle_resolve::Catalog>();
        cat->places = std::move(c.places);
        cat->case_sensitive = case_sensitive_of(sc);
        cat->index = script_index::build(cat->places, cat->case_sensitive);
        cat->built_at = apr_time_now();
        g_last_scan = cat->built_at;
        log_index(main, *cat, "built");
        write_manifest(main, *cat);
        pickle_resolve::set_catalog(cat);
    });
    return OK;
}

// The parent keeps the index (and the manifest) current: a scan every
// kRefreshInterval, bounded as the first.
int monitor(apr_pool_t*, server_rec* s)
{
    server_entry(s, "refreshing the WSGIPickleResolve index", [&] {
        std::shared_ptr<const pickle_resolve::Catalog> cat = pickle_resolve::catalog();
        apr_time_t now = apr_time_now();
        if (!cat || now - g_last_scan < pickle_resolve::kRefreshInterval) return;
        g_last_scan = now;
        std::shared_ptr<const pickle_resolve::Catalog> fresh = pickle_resolve::rebuilt(*cat);
        if (same_scripts(cat->index, fresh->index)) return;
        log_index(s, *fresh, "changed");
        write_manifest(s, *fresh);
        pickle_resolve::set_catalog(fresh);
    });
    return OK;
}

}  // namespace

bool pickle_resolve_anywhere(server_rec* main)
{
    for (server_rec* s = main; s; s = s->next)
        if (pickle_resolve_of(server_config(s))) return true;
    return false;
}

void register_resolve_hooks()
{
    // Before this module's own post_config, which forks the daemon processes.
    ap_hook_post_config(post_config, nullptr, nullptr, APR_HOOK_FIRST);
    ap_hook_monitor(monitor, nullptr, nullptr, APR_HOOK_MIDDLE);
}

}  // namespace wsgi
