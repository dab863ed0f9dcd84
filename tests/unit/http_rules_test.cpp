// HTTP token rules (core/http_rules): ASCII by RFC 9110, whatever the C
// locale says a byte is.
#include "core/http_rules.h"
#include "core/text.h"

#include <clocale>
#include <gtest/gtest.h>

namespace {

using wsgi::valid_header_name;
using wsgi::valid_status_line;

TEST(HttpRules, HeaderNameTokens)
{
    EXPECT_TRUE(valid_header_name("Content-Type"));
    EXPECT_TRUE(valid_header_name("X-a.b_c~1!#$%&'*+^`|"));
    EXPECT_FALSE(valid_header_name(""));
    EXPECT_FALSE(valid_header_name("X Y"));
    EXPECT_FALSE(valid_header_name("X:Y"));
    EXPECT_FALSE(valid_header_name(std::string_view("X\0Y", 3)));
}

// Bytes above 0x7f are never token characters, also in a locale where
// isalnum() says they are letters (a Latin-1 one, when the machine has it).
TEST(HttpRules, HighBytesAreNotTokensInAnyLocale)
{
    for (const char* loc : {"C", "C.UTF-8", "en_US.ISO-8859-1", "de_DE.ISO-8859-1", "fr_FR.ISO-8859-1"}) {
        if (!std::setlocale(LC_CTYPE, loc)) continue;
        EXPECT_FALSE(valid_header_name("X-Caf\xe9")) << loc;
        EXPECT_FALSE(valid_header_name("\xc3\xa9")) << loc;
        EXPECT_FALSE(valid_status_line("2\xb2\xb3 OK")) << loc;
        EXPECT_TRUE(valid_status_line("200 OK")) << loc;
    }
    std::setlocale(LC_CTYPE, "C");
    for (int c = 0; c < 256; ++c) {
        char ch = static_cast<char>(c);
        EXPECT_EQ(wsgi::ascii_alnum(ch), (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) << c;
    }
}

}  // namespace
