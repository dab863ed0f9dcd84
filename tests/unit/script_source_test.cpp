// inspect_source: NUL bytes, PEP 263 coding declarations, BOM; line_col.
#include "core/script_source.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using wsgi::inspect_source;
using wsgi::line_col;

TEST(ScriptSource, PlainUtf8)
{
    auto f = inspect_source("def application(e, s):\n    pass\n");
    EXPECT_FALSE(f.nul_at);
    EXPECT_EQ(f.encoding, "utf-8");
    EXPECT_EQ(f.cookie_line, 0);
    EXPECT_EQ(f.bom, 0u);
    EXPECT_TRUE(f.problem.empty());
}

TEST(ScriptSource, NulFound)
{
    std::string src = "x = 1\n";
    src += '\0';
    src += "y = 2\n";
    auto f = inspect_source(src);
    ASSERT_TRUE(f.nul_at);
    EXPECT_EQ(*f.nul_at, 6u);
    auto lc = line_col(src, *f.nul_at);
    EXPECT_EQ(lc.line, 2u);
    EXPECT_EQ(lc.column, 1u);
}

TEST(ScriptSource, CookieOnFirstOrSecondLine)
{
    auto a = inspect_source("# -*- coding: latin-1 -*-\nx = 1\n");
    EXPECT_EQ(a.encoding, "latin-1");
    EXPECT_EQ(a.cookie_line, 1);
    auto b = inspect_source("#!/usr/bin/python3\n# vim: set fileencoding=iso-8859-15 :\n");
    EXPECT_EQ(b.encoding, "iso-8859-15");
    EXPECT_EQ(b.cookie_line, 2);
    // Python looks at line 2 only when line 1 is blank or a comment.
    auto c = inspect_source("x = 1\n# coding: latin-1\n");
    EXPECT_EQ(c.encoding, "utf-8");
    EXPECT_EQ(c.cookie_line, 0);
    // Not a comment: not a declaration.
    auto d = inspect_source("s = 'coding: latin-1'\n");
    EXPECT_EQ(d.encoding, "utf-8");
    // The name is ASCII (Python's [-\w.]+ on bytes): it ends at a byte above
    // 0x7f, whatever the C locale calls it.
    auto e = inspect_source("# coding: latin-1\xe9\n");
    EXPECT_EQ(e.encoding, "latin-1");
}

TEST(ScriptSource, Bom)
{
    auto a = inspect_source("\xEF\xBB\xBFx = 1\n");
    EXPECT_EQ(a.bom, 3u);
    EXPECT_TRUE(a.problem.empty());
    auto b = inspect_source("\xEF\xBB\xBF# coding: utf-8\n");
    EXPECT_EQ(b.cookie_line, 1);
    EXPECT_TRUE(b.problem.empty());
    auto c = inspect_source("\xEF\xBB\xBF# coding: latin-1\n");
    EXPECT_FALSE(c.problem.empty());
}

TEST(ScriptSource, LineCol)
{
    std::string src = "ab\ncd\nef";
    EXPECT_EQ(line_col(src, 0).line, 1u);
    EXPECT_EQ(line_col(src, 4).line, 2u);
    EXPECT_EQ(line_col(src, 4).column, 2u);
    EXPECT_EQ(line_col(src, 7).line, 3u);
}

}  // namespace
