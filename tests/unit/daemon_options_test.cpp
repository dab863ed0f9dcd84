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

TEST(DaemonOptions, Lifecycle)
{
    DaemonOptions o;
    EXPECT_EQ(parse({"maximum-requests=50", "restart-interval=3600", "request-timeout=60", "queue-timeout=45",
                     "deadlock-timeout=30", "startup-timeout=15", "eviction-timeout=10", "connect-timeout=5",
                     "socket-timeout=20", "listen-backlog=200", "cpu-time-limit=600", "cpu-priority=-5",
                     "memory-limit=500000000", "virtual-memory-limit=2000000000", "stack-size=524288",
                     "receive-buffer-size=65536", "send-buffer-size=65536", "header-buffer-size=65536",
                     "response-buffer-size=1048576", "response-socket-timeout=30", "socket-user=www-data",
                     "script-user=#1000", "switch-interval=0.002"},
                    o),
              "");
    EXPECT_EQ(o.maximum_requests, 50);
    EXPECT_EQ(o.deadlock_timeout, 30);
    ASSERT_TRUE(o.cpu_priority);
    EXPECT_EQ(*o.cpu_priority, -5);
    EXPECT_EQ(o.memory_limit, 500000000LL);
    EXPECT_DOUBLE_EQ(o.switch_interval, 0.002);
    DaemonOptions d;
    EXPECT_EQ(d.deadlock_timeout, 300);
    EXPECT_EQ(d.connect_timeout, 15);
    EXPECT_EQ(d.listen_backlog, 100);
}

TEST(DaemonOptions, ServerMetrics)
{
    DaemonOptions o;
    EXPECT_FALSE(o.server_metrics);
    EXPECT_EQ(parse_daemon_option("server-metrics=On", o), "");
    EXPECT_TRUE(o.server_metrics);
    EXPECT_EQ(parse_daemon_option("server-metrics=off", o), "");
    EXPECT_FALSE(o.server_metrics);
    EXPECT_NE(parse_daemon_option("server-metrics=yes", o).find("takes On or Off"), std::string::npos);
    EXPECT_NE(parse_daemon_option("server-metrics=", o).find("takes On or Off"), std::string::npos);
}

TEST(DaemonOptions, RefusedWithReason)
{
    DaemonOptions o;
    EXPECT_NE(parse_daemon_option("interrupt-timeout=5", o).find("mod_wsgi 6"), std::string::npos);
    EXPECT_NE(parse_daemon_option("response-flush-delay=5", o).find("mod_wsgi 6"), std::string::npos);
    EXPECT_NE(parse_daemon_option("chroot=/x", o).find("not supported"), std::string::npos);
    EXPECT_NE(parse_daemon_option("bogus=1", o).find("unknown option 'bogus'"), std::string::npos);
    EXPECT_NE(parse_daemon_option("response-buffer-size=100", o).find("from 65536"), std::string::npos);
    EXPECT_NE(parse_daemon_option("cpu-priority=30", o).find("-20 to 20"), std::string::npos);
    EXPECT_NE(parse_daemon_option("switch-interval=0", o).find("positive"), std::string::npos);
    DaemonOptions both;
    EXPECT_EQ(parse_daemon_option("script-user=a", both), "");
    EXPECT_NE(parse_daemon_option("script-group=b", both).find("cannot both"), std::string::npos);
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
