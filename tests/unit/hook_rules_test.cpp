// Pure rules of the authentication and access hook scripts (core/hook_rules).
#include "core/hook_rules.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace wsgi;

TEST(HookOption, ApplicationGroup)
{
    HookScriptOptions o;
    EXPECT_EQ(parse_hook_option("application-group=django", o), "");
    EXPECT_EQ(o.application_group.value_or("?"), "django");
    EXPECT_EQ(parse_hook_option("application-group=%{GLOBAL}", o), "");
    EXPECT_EQ(parse_hook_option("application-group=%{SERVER}", o), "");
}

TEST(HookOption, Refused)
{
    HookScriptOptions o;
    EXPECT_NE(parse_hook_option("application-group=", o), "");
    EXPECT_NE(parse_hook_option("process-group=x", o).find("only application-group="), std::string::npos);
    EXPECT_NE(parse_hook_option("callable-object=x", o), "");
    EXPECT_NE(parse_hook_option("application-group", o).find("expected name=value"), std::string::npos);
    EXPECT_NE(parse_hook_option("=x", o), "");
    EXPECT_FALSE(o.application_group);
}

TEST(HookGroup, OnlyWhatTheConfigurationFixes)
{
    EXPECT_EQ(check_hook_group("auth"), "");
    EXPECT_EQ(check_hook_group("a b|c"), "");
    EXPECT_EQ(check_hook_group("%{GLOBAL}"), "");
    EXPECT_EQ(check_hook_group("%{SERVER}"), "");
    // the client's Host header would choose the interpreter
    EXPECT_NE(check_hook_group("%{HOST}").find("Host header"), std::string::npos);
    // not expanded for hook scripts by mod_wsgi
    EXPECT_NE(check_hook_group("%{RESOURCE}"), "");
    EXPECT_NE(check_hook_group("%{ENV:GROUP}"), "");
    EXPECT_NE(check_hook_group("x%{SERVER}"), "");
    EXPECT_NE(check_hook_group("%{GLOBAL"), "");
}

TEST(HookGroup, Names)
{
    EXPECT_EQ(hook_group_name("%{GLOBAL}", "host:8080"), "");
    EXPECT_EQ(hook_group_name("%{SERVER}", "host:8080"), "host:8080");
    EXPECT_EQ(hook_group_name("auth", "host:8080"), "auth");
}

TEST(HookHeaderName, AsModWsgi)
{
    EXPECT_EQ(hook_header_env_name("X-Forwarded-For"), "HTTP_X_FORWARDED_FOR");
    EXPECT_EQ(hook_header_env_name("accept"), "HTTP_ACCEPT");
    EXPECT_EQ(hook_header_env_name("X9-a"), "HTTP_X9_A");
    // any other character: the header is left out (X_Forwarded_For cannot pose as X-Forwarded-For)
    EXPECT_EQ(hook_header_env_name("X_Forwarded_For"), "");
    EXPECT_EQ(hook_header_env_name("X.Y"), "");
    EXPECT_EQ(hook_header_env_name("X Y"), "");
    EXPECT_EQ(hook_header_env_name("\xc3\xa4"), "");
    EXPECT_EQ(hook_header_env_name(""), "");
}

TEST(HookResult, UsableCString)
{
    EXPECT_TRUE(usable_c_string("alice"));
    EXPECT_TRUE(usable_c_string("J\xc3\xb6rg"));
    EXPECT_FALSE(usable_c_string(""));
    EXPECT_FALSE(usable_c_string(std::string("al\0ice", 6)));
}

}  // namespace
