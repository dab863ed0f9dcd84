// alias_rules: WSGIScriptAlias URL matching and the SCRIPT_NAME of %{RESOURCE}.
#include "core/alias_rules.h"

#include <gtest/gtest.h>

namespace {

using wsgi::alias_script_name;
using wsgi::mount_match;
using wsgi::normalized_script_name;

TEST(AliasRules, MountMatch)
{
    EXPECT_EQ(mount_match("/app", "/app"), 4);
    EXPECT_EQ(mount_match("/app", "/app/x"), 4);
    EXPECT_EQ(mount_match("/app/", "/app/x"), 4);
    EXPECT_EQ(mount_match("/app", "/apple"), -1);
    EXPECT_EQ(mount_match("/app", "/ap"), -1);
    EXPECT_EQ(mount_match("/", "/anything"), 0);
    EXPECT_EQ(mount_match("/", "/"), 0);
    // runs of slashes match runs of slashes (mod_wsgi's rule)
    EXPECT_EQ(mount_match("//app", "/app"), 4);
    EXPECT_EQ(mount_match("/app", "//app/x"), 5);
    EXPECT_EQ(mount_match("/a//b", "/a/b/c"), 4);
    EXPECT_EQ(mount_match("/a/b", "/a///b"), 6);
    EXPECT_EQ(mount_match("/a/b", "/ab"), -1);
    EXPECT_EQ(mount_match("//app", "app"), -1);
    EXPECT_EQ(mount_match("/app", ""), -1);
}

TEST(AliasRules, NormalizedScriptName)
{
    EXPECT_EQ(normalized_script_name("/App//Sub/"), "/app/sub");
    EXPECT_EQ(normalized_script_name("///a///b///"), "/a/b");
    EXPECT_EQ(normalized_script_name("/"), "");
    EXPECT_EQ(normalized_script_name(""), "");
}

TEST(AliasRules, AliasScriptName)
{
    // a file target: the alias's URL, whatever the client wrote
    EXPECT_EQ(alias_script_name("/app", "/srv/app.wsgi", "/srv/app.wsgi"), "/app");
    EXPECT_EQ(alias_script_name("/", "/srv/app.wsgi", "/srv/app.wsgi"), "");
    // a directory target: plus the file's name below it
    EXPECT_EQ(alias_script_name("/dir/", "/srv/dir/", "/srv/dir/x.wsgi"), "/dir/x.wsgi");
    EXPECT_EQ(alias_script_name("/dir", "/srv/dir", "/srv/dir/x.wsgi"), "/dir/x.wsgi");
    EXPECT_EQ(alias_script_name("/Dir/", "/srv/dir/", "/srv/dir//X.wsgi"), "/dir/x.wsgi");
}

}  // namespace
