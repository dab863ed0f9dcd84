// core/script_index: which files a configuration's places make resolvable
// by module name, within bounds, and never a file outside its place.
#include "core/options.h"
#include "core/script_index.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace fs = std::filesystem;
using namespace wsgi::script_index;

namespace {

class TempTree : public ::testing::Test {
protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/script_index_test.XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        root = tmpl;
    }
    void TearDown() override
    {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
    void file(const std::string& rel, const std::string& text = "x = 1\n")
    {
        fs::path p = fs::path(root) / rel;
        fs::create_directories(p.parent_path());
        std::ofstream(p) << text;
    }
    std::string at(const std::string& rel) const { return root + "/" + rel; }
    std::string name(const std::string& rel) const { return wsgi::module_name_for(at(rel)); }
    Place tree(const std::string& rel = "") const
    {
        Place p;
        p.kind = PlaceKind::kTree;
        p.path = rel.empty() ? root : at(rel);
        p.source = "test";
        return p;
    }
    std::string root;
};

std::string run_python(const std::string& code, const std::string& input_path)
{
    std::string cmd = std::string(WSGISCRIPT_TEST_PYTHON) + " -c '" + code + "' '" + input_path + "'";
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return "popen failed";
    std::array<char, 256> buf{};
    std::string out;
    while (fgets(buf.data(), buf.size(), p)) out += buf.data();
    pclose(p);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

}  // namespace

TEST(ScriptIndexName, OnlyPrefixAnd32LowerHex)
{
    EXPECT_TRUE(is_script_module_name("_mod_wsgi_0123456789abcdef0123456789abcdef"));
    EXPECT_FALSE(is_script_module_name("_mod_wsgi_0123456789ABCDEF0123456789abcdef"));
    EXPECT_FALSE(is_script_module_name("_mod_wsgi_0123456789abcdef0123456789abcde"));
    EXPECT_FALSE(is_script_module_name("_mod_wsgi_0123456789abcdef0123456789abcdef0"));
    EXPECT_FALSE(is_script_module_name("_mod_wsgi_../../../../etc/passwd_0123456789ab"));
    EXPECT_FALSE(is_script_module_name("os"));
    EXPECT_FALSE(is_script_module_name(""));
    EXPECT_FALSE(is_script_module_name(std::string_view("_mod_wsgi_0123456789abcdef0123456789abcde\0", 42)));
}

TEST(ScriptIndexName, DirectoryPrefixAndExtensions)
{
    EXPECT_EQ(directory_prefix("/srv/app/"), "/srv/app");
    EXPECT_EQ(directory_prefix("/srv//app//"), "/srv/app");
    EXPECT_EQ(directory_prefix("/"), "/");
    EXPECT_TRUE(has_extension("app.wsgi", {"wsgi"}));
    EXPECT_TRUE(has_extension("app.WSGI", {"wsgi"}));
    EXPECT_TRUE(has_extension("app.wsgi.bak", {"wsgi"}));  // mod_mime counts every dotted part
    EXPECT_FALSE(has_extension("wsgi", {"wsgi"}));
    EXPECT_FALSE(has_extension("app.py", {"wsgi"}));
    EXPECT_TRUE(inside("/a/b/c", "/a/b"));
    EXPECT_FALSE(inside("/a/bc", "/a/b"));
    EXPECT_FALSE(inside("/a/b", "/a/b"));
    EXPECT_TRUE(inside("/x", "/"));
}

TEST_F(TempTree, FilePlaceIsIndexedAsNamed)
{
    Place p;
    p.path = at("app.wsgi");
    p.source = "WSGIScriptAlias /";
    Index ix = build({p}, true);
    ASSERT_EQ(ix.by_name.size(), 1u);
    const Entry* e = ix.find(name("app.wsgi"));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->path, at("app.wsgi"));
    EXPECT_NE(check(*e), "");  // not there yet
    file("app.wsgi");
    EXPECT_EQ(check(*e), "");
}

TEST_F(TempTree, TreeIndexesFilesNotHiddenOnesAndNamesThemAsRequestsDo)
{
    file("a.wsgi");
    file("sub/b.wsgi");
    file(".hidden.wsgi");
    file(".git/c.wsgi");
    Place p = tree();
    p.path += "//";  // as configured, with slashes to spare
    Index ix = build({p}, true);
    EXPECT_NE(ix.find(name("a.wsgi")), nullptr);
    EXPECT_NE(ix.find(name("sub/b.wsgi")), nullptr);
    EXPECT_EQ(ix.find(name(".hidden.wsgi")), nullptr);
    EXPECT_EQ(ix.find(name(".git/c.wsgi")), nullptr);
    EXPECT_EQ(ix.by_name.size(), 2u);
    EXPECT_EQ(ix.find(name("sub/b.wsgi"))->path, at("sub/b.wsgi"));
}

TEST_F(TempTree, CaseInsensitiveNamesFromTheLowerCasedPath)
{
    file("App.wsgi");
    Index ix = build({tree()}, false);
    EXPECT_NE(ix.find(wsgi::module_name_for(at("App.wsgi"), false)), nullptr);
    EXPECT_EQ(ix.find(wsgi::module_name_for(at("App.wsgi"), true)), nullptr);
}

TEST_F(TempTree, ExtensionsGlobDepthAndAcceptDir)
{
    file("a.wsgi");
    file("a.py");
    file("deep/1/2/3/x.wsgi");
    file("noexec/n.wsgi");
    Place p = tree();
    p.extensions = {"wsgi"};
    p.max_depth = 2;
    std::string noexec = at("noexec");
    p.accept_dir = [noexec](const std::string& dir) { return dir != noexec; };
    Index ix = build({p}, true);
    EXPECT_NE(ix.find(name("a.wsgi")), nullptr);
    EXPECT_EQ(ix.find(name("a.py")), nullptr);
    EXPECT_EQ(ix.find(name("deep/1/2/3/x.wsgi")), nullptr);
    EXPECT_EQ(ix.find(name("noexec/n.wsgi")), nullptr);
    EXPECT_FALSE(ix.notes.empty());  // the depth cut is reported

    Place g = tree();
    g.name_glob = "*.wsgi";
    g.max_depth = 0;
    Index gx = build({g}, true);
    EXPECT_NE(gx.find(name("a.wsgi")), nullptr);
    EXPECT_EQ(gx.find(name("a.py")), nullptr);
    EXPECT_EQ(gx.find(name("noexec/n.wsgi")), nullptr);
}

TEST_F(TempTree, SymlinksOnlyToFilesInsideAndDirectoryLinksNotFollowed)
{
    file("in/real.wsgi");
    file("outside/secret.wsgi");
    fs::create_symlink(at("in/real.wsgi"), at("in/link.wsgi"));
    fs::create_symlink(at("outside/secret.wsgi"), at("in/escape.wsgi"));
    fs::create_symlink("../outside/secret.wsgi", at("in/dotdot.wsgi"));
    fs::create_symlink(at("outside"), at("in/dirlink"));
    Index ix = build({tree("in")}, true);
    EXPECT_NE(ix.find(name("in/real.wsgi")), nullptr);
    EXPECT_NE(ix.find(name("in/link.wsgi")), nullptr);
    EXPECT_EQ(ix.find(name("in/escape.wsgi")), nullptr);
    EXPECT_EQ(ix.find(name("in/dotdot.wsgi")), nullptr);
    EXPECT_EQ(ix.find(name("in/dirlink/secret.wsgi")), nullptr);
    EXPECT_EQ(ix.by_name.size(), 2u);

    // A link that pointed inside at scan time and outside at load time.
    const Entry* e = ix.find(name("in/link.wsgi"));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(check(*e), "");
    fs::remove(at("in/link.wsgi"));
    fs::create_symlink(at("outside/secret.wsgi"), at("in/link.wsgi"));
    EXPECT_NE(check(*e), "");
    // and a directory on the way that became a link out
    file("in/sub/ok.wsgi");
    Index sx = build({tree("in")}, true);
    const Entry* ok = sx.find(name("in/sub/ok.wsgi"));
    ASSERT_NE(ok, nullptr);
    fs::rename(at("in/sub"), at("in/sub.old"));
    fs::create_directories(at("outside/sub"));
    file("outside/sub/ok.wsgi");
    fs::create_symlink(at("outside/sub"), at("in/sub"));
    EXPECT_NE(check(*ok), "");
}

TEST_F(TempTree, AcceptDirAskedAgainAtCheck)
{
    file("d/a.wsgi");
    bool allowed = true;
    Place p = tree("d");
    p.accept_dir = [&allowed](const std::string&) { return allowed; };
    Index ix = build({p}, true);
    const Entry* e = ix.find(name("d/a.wsgi"));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(check(*e, &p), "");
    allowed = false;
    EXPECT_NE(check(*e, &p), "");
}

TEST_F(TempTree, LimitsBoundTheScan)
{
    for (int i = 0; i < 30; ++i) file("many/f" + std::to_string(i) + ".wsgi");
    for (int i = 0; i < 10; ++i) file("dirs/d" + std::to_string(i) + "/x.wsgi");
    Limits l;
    l.max_files = 10;
    Index ix = build({tree("many")}, true, l);
    EXPECT_EQ(ix.by_name.size(), 10u);
    ASSERT_FALSE(ix.notes.empty());
    EXPECT_NE(ix.notes[0].find("more than 10"), std::string::npos) << ix.notes[0];

    Limits d;
    d.max_dirs = 3;
    Index dx = build({tree("dirs")}, true, d);
    EXPECT_EQ(dx.dirs_read, 3u);
    EXPECT_EQ(dx.by_name.size(), 2u);  // the root and two of its directories

    Limits total;
    total.max_entries = 5;
    Index tx = build({tree("many"), tree("dirs")}, true, total);
    EXPECT_EQ(tx.by_name.size(), 5u);
}

TEST_F(TempTree, MissingDirectoryIsANote)
{
    Index ix = build({tree("nope")}, true);
    EXPECT_TRUE(ix.by_name.empty());
    EXPECT_TRUE(ix.notes.empty());
    ASSERT_EQ(ix.absent.size(), 1u);
    EXPECT_NE(ix.absent[0].find("cannot be read"), std::string::npos);
}

TEST(ScriptIndexJson, StringsEscapedAndUndecodableBytesAsSurrogates)
{
    EXPECT_EQ(json_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
    EXPECT_EQ(json_string("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
    EXPECT_EQ(json_string("x\xff" "y"), "\"x\\udcffy\"");
    EXPECT_EQ(json_string("\xc3"), "\"\\udcc3\"");          // cut sequence
    EXPECT_EQ(json_string("\xc0\xaf"), "\"\\udcc0\\udcaf\"");  // overlong
    EXPECT_EQ(json_string("\xed\xa0\x80"), "\"\\udced\\udca0\\udc80\"");  // a surrogate
}

TEST_F(TempTree, ManifestIsJsonPythonReadsWithTheBytesBack)
{
    file("a.wsgi");
    file("caf\xc3\xa9.wsgi");
    file("raw\xff.wsgi");
    Place p = tree();
    p.source = "WSGIScriptAlias /x (t.conf:1)";
    std::vector<Place> places{p};
    Index ix = build(places, true);
    ASSERT_EQ(ix.by_name.size(), 3u);
    ManifestInfo info;
    info.server = "example.org";
    info.generated_at = 12.5;
    std::string text = manifest_json(ix, places, info);
    std::string path = at("manifest.json");
    ASSERT_EQ(write_atomically(path, text), "");
    EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
    // Python's json reads it, and mangle(fsdecoded path) == key for every entry.
    std::string out = run_python(
        "import json,sys,hashlib,os; m=json.load(open(sys.argv[1])); "
        "ok=all(k==\"_mod_wsgi_\"+hashlib.md5(os.fsencode(v[\"path\"])).hexdigest() for k,v in m[\"scripts\"].items()); "
        "print(m[\"format\"], m[\"version\"], len(m[\"scripts\"]), ok, m[\"server\"], "
        "sorted({v[\"kind\"] for v in m[\"scripts\"].values()}), m[\"generated_at\"])",
        path);
    EXPECT_EQ(out, "wsgiscript-manifest 1 3 True example.org ['tree'] 12.5");
    for (const auto& entry : fs::directory_iterator(root))
        EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
}

TEST(ScriptIndexWrite, UnwritablePlaceIsAnError)
{
    EXPECT_NE(write_atomically("/nonexistent-dir/x/manifest.json", "{}"), "");
}
