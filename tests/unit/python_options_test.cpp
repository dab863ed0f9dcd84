// Tests of core/python_options: the checks of the interpreter-level
// directives and which <WSGIInterpreterOptions> values apply where.
#include "core/python_options.h"

#include <gtest/gtest.h>

namespace wsgi {
namespace {

InterpreterOptionsBlock block(std::optional<std::string> pg, std::optional<std::string> ag)
{
    InterpreterOptionsBlock b;
    b.process_group = std::move(pg);
    b.application_group = std::move(ag);
    return b;
}

TEST(PythonOptions, Defaults)
{
    PythonSettings s;
    InterpreterSettings i = resolve_interpreter(s, "", "");
    EXPECT_FALSE(i.restrict_stdin);   // mod_wsgi's defaults since 3.0
    EXPECT_FALSE(i.restrict_stdout);
    EXPECT_TRUE(i.restrict_signal);
    EXPECT_TRUE(i.python_path_layers.empty());
    EXPECT_TRUE(s.write_bytecode());
    EXPECT_EQ(s.optimization_level(), 0);
    EXPECT_TRUE(s.destroy());
    EXPECT_EQ(resolve_switch_interval(s, ""), 0);
}

TEST(PythonOptions, TopLevelThenBlocksBySpecificity)
{
    PythonSettings s;
    s.restrict_stdout = 1;
    InterpreterOptionsBlock both = block("d", "app");
    both.restrict_stdout = 0;
    both.python_path = {"/both"};
    InterpreterOptionsBlock group = block("d", std::nullopt);
    group.restrict_stdout = 1;
    group.restrict_stdin = 1;
    group.python_path = {"/group"};
    InterpreterOptionsBlock any = block(std::nullopt, std::nullopt);
    any.python_path = {"/any1", "/any2"};
    any.restrict_signal = 0;
    s.blocks = {both, group, any};  // written most specific first: order of specificity still wins

    InterpreterSettings i = resolve_interpreter(s, "d", "app");
    EXPECT_FALSE(i.restrict_stdout);  // the two-selector block wins over the group's
    EXPECT_TRUE(i.restrict_stdin);
    EXPECT_FALSE(i.restrict_signal);
    ASSERT_EQ(i.python_path_layers.size(), 3u);
    EXPECT_EQ(i.python_path_layers[0], (std::vector<std::string>{"/any1", "/any2"}));
    EXPECT_EQ(i.python_path_layers[1], (std::vector<std::string>{"/group"}));
    EXPECT_EQ(i.python_path_layers[2], (std::vector<std::string>{"/both"}));

    InterpreterSettings other = resolve_interpreter(s, "d", "other");
    EXPECT_TRUE(other.restrict_stdout);
    EXPECT_EQ(other.python_path_layers.size(), 2u);

    InterpreterSettings embedded = resolve_interpreter(s, "", "app");
    EXPECT_TRUE(embedded.restrict_stdout);  // the top level
    EXPECT_FALSE(embedded.restrict_stdin);
    EXPECT_EQ(embedded.python_path_layers.size(), 1u);
}

TEST(PythonOptions, EqualSpecificityLaterWins)
{
    PythonSettings s;
    InterpreterOptionsBlock a = block(std::nullopt, "x");
    a.restrict_stdin = 1;
    InterpreterOptionsBlock b = block("", std::nullopt);
    b.restrict_stdin = 0;
    s.blocks = {a, b};
    EXPECT_FALSE(resolve_interpreter(s, "", "x").restrict_stdin);
    s.blocks = {b, a};
    EXPECT_TRUE(resolve_interpreter(s, "", "x").restrict_stdin);
}

TEST(PythonOptions, GlobalSelectorsAreEmptyNames)
{
    InterpreterOptionsBlock b;
    EXPECT_EQ(parse_interpreter_selector("process-group=%{GLOBAL}", b), "");
    EXPECT_EQ(parse_interpreter_selector("Application-Group=%{GLOBAL}", b), "");
    EXPECT_EQ(b.process_group, std::optional<std::string>(""));
    EXPECT_EQ(b.application_group, std::optional<std::string>(""));
    EXPECT_NE(parse_interpreter_selector("process-group=again", b), "");
    InterpreterOptionsBlock c;
    EXPECT_NE(parse_interpreter_selector("application-group=%{RESOURCE}", c), "");
    EXPECT_NE(parse_interpreter_selector("application-group=%{ENV:X}", c), "");
    EXPECT_NE(parse_interpreter_selector("nokey", c), "");
    EXPECT_NE(parse_interpreter_selector("other=1", c), "");
}

TEST(PythonOptions, SwitchIntervalProcessScoped)
{
    PythonSettings s;
    s.switch_interval = 0.01;
    InterpreterOptionsBlock d = block("d", std::nullopt);
    d.switch_interval = 0.002;
    s.blocks = {d};
    EXPECT_DOUBLE_EQ(resolve_switch_interval(s, ""), 0.01);
    EXPECT_DOUBLE_EQ(resolve_switch_interval(s, "d"), 0.002);
    EXPECT_DOUBLE_EQ(resolve_switch_interval(s, "e"), 0.01);
}

TEST(PythonOptions, Values)
{
    int level = -1;
    EXPECT_EQ(parse_python_optimize("2", &level), "");
    EXPECT_EQ(level, 2);
    EXPECT_NE(parse_python_optimize("3", &level), "");
    EXPECT_NE(parse_python_optimize("", &level), "");

    std::optional<std::uint32_t> seed = 7;
    EXPECT_EQ(parse_hash_seed("random", &seed), "");
    EXPECT_FALSE(seed);
    EXPECT_EQ(parse_hash_seed("0", &seed), "");
    EXPECT_EQ(seed, std::optional<std::uint32_t>(0));
    EXPECT_EQ(parse_hash_seed("4294967295", &seed), "");
    EXPECT_EQ(*seed, 4294967295u);
    EXPECT_NE(parse_hash_seed("4294967296", &seed), "");
    EXPECT_NE(parse_hash_seed("-1", &seed), "");
    EXPECT_NE(parse_hash_seed("Random", &seed), "");

    double v = 0;
    EXPECT_EQ(parse_switch_interval("0.005", &v), "");
    EXPECT_DOUBLE_EQ(v, 0.005);
    EXPECT_NE(parse_switch_interval("0", &v), "");
    EXPECT_NE(parse_switch_interval("nan", &v), "");
    EXPECT_NE(parse_switch_interval("1s", &v), "");
    EXPECT_EQ(parse_slow_requests("0", &v), "");
    EXPECT_NE(parse_slow_requests("-0.5", &v), "");
}

TEST(PythonOptions, WarningSpecs)
{
    for (const char* ok : {"error", "ignore", "d", "default::DeprecationWarning", "ignore:msg:UserWarning:mod:12",
                           "error:::pkg.mod", "::", "once::pkg.sub.MyWarning", "always:a:b.c:d:0"})
        EXPECT_EQ(check_warning_spec(ok), "") << ok;
    for (const char* bad : {"bogus", "error::Not-A-Class", "error:a:b:c:x", "a:b:c:d:e:f", "error::1Warning",
                            "error::a..b"})
        EXPECT_NE(check_warning_spec(bad), "") << bad;
}

}  // namespace
}  // namespace wsgi
