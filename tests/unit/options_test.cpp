// Pure rules of wsgi_options: module naming, directive options, group names.
#include "core/options.h"
#include "core/http_rules.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

namespace {

// Python's own answer: hashlib.md5(path.encode()).hexdigest().
std::string python_md5_name(const std::string& path)
{
    std::string cmd = std::string(WSGISCRIPT_TEST_PYTHON) +
                      " -c 'import hashlib,sys; print(\"_mod_wsgi_\" + "
                      "hashlib.md5(sys.argv[1].encode()).hexdigest())' '" + path + "'";
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return "popen failed";
    std::array<char, 128> buf{};
    std::string out;
    while (fgets(buf.data(), buf.size(), p)) out += buf.data();
    pclose(p);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

TEST(ModuleName, EqualsPythonHashlib)
{
    for (std::string path : {"/var/www/app.wsgi", "/srv/x/y z/hello.py", "/tmp/caf\xc3\xa9/app.wsgi", "/"}) {
        EXPECT_EQ(wsgi::module_name_for(path), python_md5_name(path)) << path;
    }
}

TEST(ModuleName, KnownValue)
{
    // md5("") is well known.
    EXPECT_EQ(wsgi::module_name_for(""), "_mod_wsgi_d41d8cd98f00b204e9800998ecf8427e");
}

TEST(ModuleName, CaseInsensitiveLowersFirst)
{
    EXPECT_EQ(wsgi::module_name_for("/Var/WWW/App.wsgi", false), wsgi::module_name_for("/var/www/app.wsgi"));
    EXPECT_NE(wsgi::module_name_for("/Var/WWW/App.wsgi", true), wsgi::module_name_for("/var/www/app.wsgi"));
}

TEST(AliasOptions, ParsesKnownOptions)
{
    wsgi::AliasOptions o;
    EXPECT_EQ(wsgi::parse_alias_option("callable-object=app", o), "");
    EXPECT_EQ(wsgi::parse_alias_option("application-group=%{GLOBAL}", o), "");
    EXPECT_EQ(wsgi::parse_alias_option("process-group=%{GLOBAL}", o), "");
    EXPECT_EQ(wsgi::parse_alias_option("pass-authorization=On", o), "");
    EXPECT_EQ(o.callable_object.value(), "app");
    EXPECT_EQ(o.application_group.value(), "%{GLOBAL}");
    EXPECT_EQ(o.process_group.value(), "%{GLOBAL}");
    EXPECT_TRUE(o.pass_authorization.value());
}

TEST(AliasOptions, RejectsWithAMessage)
{
    wsgi::AliasOptions o;
    EXPECT_NE(wsgi::parse_alias_option("colour=blue", o).find("unknown option 'colour'"), std::string::npos);
    EXPECT_NE(wsgi::parse_alias_option("noequals", o).find("expected name=value"), std::string::npos);
    EXPECT_NE(wsgi::parse_alias_option("callable-object=", o), "");
    EXPECT_NE(wsgi::parse_alias_option("pass-authorization=maybe", o).find("On or Off"), std::string::npos);
    EXPECT_NE(wsgi::parse_alias_option("application-group=%{BOGUS}", o).find("unknown variable"),
              std::string::npos);
    EXPECT_FALSE(o.callable_object.has_value());
}

TEST(OnOff, AnyCase)
{
    EXPECT_EQ(wsgi::parse_on_off("On"), true);
    EXPECT_EQ(wsgi::parse_on_off("oFF"), false);
    EXPECT_FALSE(wsgi::parse_on_off("yes").has_value());
}

TEST(ApplicationGroup, Expansion)
{
    wsgi::GroupContext ctx;
    ctx.server = "example.org:8080";
    ctx.script_name = "/app";
    ctx.env = [](std::string_view name) -> std::optional<std::string> {
        if (name == "GROUP") return std::string("blue");
        return std::nullopt;
    };
    EXPECT_EQ(wsgi::expand_application_group("%{GLOBAL}", ctx), "");
    EXPECT_EQ(wsgi::expand_application_group("%{RESOURCE}", ctx), "example.org:8080|/app");
    EXPECT_EQ(wsgi::expand_application_group("%{SERVER}", ctx), "example.org:8080");
    EXPECT_EQ(wsgi::expand_application_group("%{ENV:GROUP}", ctx), "blue");
    EXPECT_EQ(wsgi::expand_application_group("%{ENV:MISSING}", ctx), "example.org:8080|/app");
    EXPECT_EQ(wsgi::expand_application_group("shared", ctx), "shared");
    EXPECT_EQ(wsgi::expand_application_group("pre-%{ENV:GROUP}", ctx), "pre-blue");
    EXPECT_NE(wsgi::check_application_group("%{ENV:}"), "");
    EXPECT_NE(wsgi::check_application_group("%{NOPE}"), "");
    EXPECT_NE(wsgi::check_application_group("%{GLOBAL"), "");
    EXPECT_EQ(wsgi::check_application_group("%{ENV:X}"), "");
}

TEST(StatusLine, Validation)
{
    EXPECT_TRUE(wsgi::valid_status_line("200 OK"));
    EXPECT_TRUE(wsgi::valid_status_line("404 Not Found"));
    EXPECT_FALSE(wsgi::valid_status_line("200"));
    EXPECT_FALSE(wsgi::valid_status_line("200OK"));
    EXPECT_FALSE(wsgi::valid_status_line("20 OK"));
    EXPECT_FALSE(wsgi::valid_status_line("abc OK"));
    EXPECT_FALSE(wsgi::valid_status_line("200 OK\r\nX: y"));
    EXPECT_FALSE(wsgi::valid_status_line("099 Low"));
}

}  // namespace

TEST(HeaderRules, Names)
{
    EXPECT_TRUE(wsgi::valid_header_name("Content-Type"));
    EXPECT_TRUE(wsgi::valid_header_name("X-Custom_1!#$%&'*+.^`|~"));
    EXPECT_FALSE(wsgi::valid_header_name(""));
    EXPECT_FALSE(wsgi::valid_header_name("Bad Name"));
    EXPECT_FALSE(wsgi::valid_header_name("Bad:Name"));
    EXPECT_FALSE(wsgi::valid_header_name(std::string("X\0Y", 3)));
    EXPECT_FALSE(wsgi::valid_header_name("X\xe9"));
}

TEST(HeaderRules, Values)
{
    EXPECT_TRUE(wsgi::valid_header_value(""));
    EXPECT_TRUE(wsgi::valid_header_value("text/html; charset=utf-8"));
    EXPECT_TRUE(wsgi::valid_header_value("a\tb \xe9"));
    EXPECT_FALSE(wsgi::valid_header_value("a\r\nSet-Cookie: x=1"));
    EXPECT_FALSE(wsgi::valid_header_value("a\nb"));
    EXPECT_FALSE(wsgi::valid_header_value(std::string("a\0b", 3)));
    EXPECT_FALSE(wsgi::valid_header_value("a\x7f"));
}

TEST(HeaderRules, ContentLength)
{
    EXPECT_EQ(wsgi::parse_content_length("0"), 0);
    EXPECT_EQ(wsgi::parse_content_length("12345"), 12345);
    EXPECT_EQ(wsgi::parse_content_length("9223372036854775807"), 9223372036854775807LL);
    EXPECT_FALSE(wsgi::parse_content_length("9223372036854775808"));
    EXPECT_FALSE(wsgi::parse_content_length("99999999999999999999"));
    EXPECT_FALSE(wsgi::parse_content_length(""));
    EXPECT_FALSE(wsgi::parse_content_length("-1"));
    EXPECT_FALSE(wsgi::parse_content_length("+1"));
    EXPECT_FALSE(wsgi::parse_content_length(" 1"));
    EXPECT_FALSE(wsgi::parse_content_length("1 "));
    EXPECT_FALSE(wsgi::parse_content_length("0x10"));
}

// Found by tests/fuzz/fuzz_http_rules (regressions/http_rules/): leading
// zeros do not count toward the 19 digits of 2^63-1.
TEST(HeaderRules, ContentLengthLeadingZeros)
{
    EXPECT_EQ(wsgi::parse_content_length("000"), 0);
    EXPECT_EQ(wsgi::parse_content_length("00000000000000000000000"), 0);
    EXPECT_EQ(wsgi::parse_content_length("00000000000000000001"), 1);
    EXPECT_EQ(wsgi::parse_content_length("000000000000000001320978402625308444"), 1320978402625308444LL);
    EXPECT_EQ(wsgi::parse_content_length("09223372036854775807"), 9223372036854775807LL);
    EXPECT_FALSE(wsgi::parse_content_length("09223372036854775808"));
    EXPECT_FALSE(wsgi::parse_content_length("0000000000000000000099999999999999999999"));
    EXPECT_FALSE(wsgi::parse_content_length("00-1"));
    EXPECT_FALSE(wsgi::parse_content_length("00 "));
}
