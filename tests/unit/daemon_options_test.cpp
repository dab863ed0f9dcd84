// WSGIDaemonProcess options: mod_wsgi's names and values, refusals with reasons.
#include "core/daemon_options.h"

#include <gtest/gtest.h>

namespace {

using wsgi::DaemonOptions;
using wsgi::parse_daemon_option;

std::string parse(std::initializer_list<const char*> words, DaemonOptions& o)
{
    for (const char* w : words) {
        std::string err = parse_daemon_option(w, o);
        if (!err.empty()) return err;
    }
    return {};
}

TEST(DaemonOptions, Defaults)
{
    DaemonOptions o;
    EXPECT_EQ(o.processes, 1);
    EXPECT_FALSE(o.processes_given);
    EXPECT_EQ(o.threads, 15);
    EXPECT_EQ(o.shutdown_timeout, 5);
    EXPECT_EQ(o.inactivity_timeout, 0);
}

TEST(DaemonOptions, DebianStockLine)
{
    DaemonOptions o;
    o.name = "site";
    EXPECT_EQ(parse({"processes=5", "threads=5", "display-name='%{GROUP}'", "inactivity-timeout=120", "user=www-data",
                     "group=www-data"},
                    o),
              "");
    EXPECT_EQ(o.processes, 5);
    EXPECT_TRUE(o.processes_given);
    EXPECT_EQ(o.threads, 5);
    EXPECT_EQ(o.inactivity_timeout, 120);
    EXPECT_EQ(o.user, "www-data");
    EXPECT_EQ(wsgi::daemon_display_name(o), "(wsgi:site)");
}

TEST(DaemonOptions, Values)
{
    DaemonOptions o;
    EXPECT_EQ(parse({"umask=0027", "home=/srv/app", "python-home=/srv/venv", "python-path=/srv/a:/srv/b",
                     "supplementary-groups=adm,#44", "lang=en_US.UTF-8", "locale=C.UTF-8", "user=#33",
                     "graceful-timeout=10", "shutdown-timeout=0", "python-eggs=/tmp/eggs"},
                    o),
              "");
    ASSERT_TRUE(o.umask);
    EXPECT_EQ(*o.umask, 027u);
    EXPECT_EQ(o.python_path.size(), 2u);
    EXPECT_EQ(o.supplementary_groups.size(), 2u);
    EXPECT_EQ(o.graceful_timeout, 10);
    EXPECT_EQ(o.shutdown_timeout, 0);
}

TEST(DaemonOptions, BadValuesSayWhy)
{
    DaemonOptions o;
    EXPECT_NE(parse_daemon_option("processes=0", o).find("processes= takes a whole number"), std::string::npos);
    EXPECT_NE(parse_daemon_option("threads=x", o).find("threads="), std::string::npos);
    EXPECT_NE(parse_daemon_option("threads=0", o).find("not supported"), std::string::npos);
    EXPECT_NE(parse_daemon_option("umask=0999", o).find("octal"), std::string::npos);
    EXPECT_NE(parse_daemon_option("home=relative", o).find("absolute"), std::string::npos);
    EXPECT_NE(parse_daemon_option("user=", o).find("user="), std::string::npos);
    EXPECT_NE(parse_daemon_option("user=a b", o).find("user="), std::string::npos);
    EXPECT_NE(parse_daemon_option("noequals", o).find("option=value"), std::string::npos);
}

TEST(DaemonOptions, LifecycleOptionsRefusedWithReason)
{
    DaemonOptions o;
    for (const char* w : {"maximum-requests=100", "request-timeout=60", "queue-timeout=45", "memory-limit=1000",
                          "deadlock-timeout=60", "restart-interval=3600", "listen-backlog=100"}) {
        std::string err = parse_daemon_option(w, o);
        EXPECT_NE(err.find("lifecycle option"), std::string::npos) << w << ": " << err;
    }
    EXPECT_NE(parse_daemon_option("chroot=/x", o).find("not supported"), std::string::npos);
    EXPECT_NE(parse_daemon_option("bogus=1", o).find("unknown option 'bogus'"), std::string::npos);
}

TEST(DaemonOptions, Names)
{
    EXPECT_EQ(wsgi::check_daemon_name("site"), "");
    EXPECT_NE(wsgi::check_daemon_name(""), "");
    EXPECT_NE(wsgi::check_daemon_name("%{GLOBAL}"), "");
    EXPECT_NE(wsgi::check_daemon_name("a b"), "");
}

// Found by tests/fuzz/fuzz_daemon_options (regressions/daemon_options/): with
// a signed char every byte >= 0x80 counted as a control character, so UTF-8
// names were refused on x86-64 (and accepted where char is unsigned).
TEST(DaemonOptions, NonAsciiBytesAreNotControls)
{
    EXPECT_EQ(wsgi::check_daemon_name("caf\xc3\xa9"), "");
    EXPECT_EQ(wsgi::check_daemon_name("locale=u\xfa" "e.ls"), "");
    EXPECT_NE(wsgi::check_daemon_name("caf\xc3\xa9\x7f"), "");
    EXPECT_NE(wsgi::check_daemon_name("a\tb"), "");
    DaemonOptions o;
    EXPECT_EQ(parse_daemon_option("user=j\xc3\xb6rg", o), "");
    EXPECT_EQ(o.user, "j\xc3\xb6rg");
    EXPECT_EQ(parse_daemon_option("supplementary-groups=adm,caf\xc3\xa9", o), "");
    EXPECT_NE(parse_daemon_option("group=a\x01b", o), "");
}

}  // namespace
