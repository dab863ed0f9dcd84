// proxy_rules: WSGITrustedProxyHeaders / WSGITrustedProxies as pure rules.
#include "core/proxy_rules.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

namespace {

using namespace wsgi::proxy;

std::string ip_text(const Address& a)
{
    char buf[64];
    if (!a.v6) {
        snprintf(buf, sizeof buf, "%u.%u.%u.%u", a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]);
        return buf;
    }
    std::string s;
    for (int i = 0; i < 16; i += 2) {
        snprintf(buf, sizeof buf, "%s%x", i ? ":" : "", a.bytes[i] << 8 | a.bytes[i + 1]);
        s += buf;
    }
    return s;
}

std::string addr(std::string_view text)
{
    auto a = parse_address(text);
    return a ? ip_text(*a) : "none";
}

std::vector<Subnet> subnets(std::initializer_list<const char*> words)
{
    std::vector<Subnet> out;
    for (const char* w : words) {
        Subnet s;
        std::string err = parse_subnet(w, &s);
        EXPECT_EQ(err, "") << w;
        out.push_back(s);
    }
    return out;
}

bool trusted(const std::vector<Subnet>& s, std::string_view text)
{
    auto a = parse_address(text);
    return a && in_subnets(*a, s);
}

TEST(ProxyRules, HeaderNames)
{
    Header h{};
    EXPECT_EQ(header_named("X-Forwarded-For", &h), NameKind::known);
    EXPECT_EQ(h, Header::forwarded_for);
    EXPECT_EQ(header_named("x-forwarded-for", &h), NameKind::known);
    EXPECT_EQ(h, Header::forwarded_for);
    EXPECT_EQ(header_named("X-REAL-IP", &h), NameKind::known);
    EXPECT_EQ(h, Header::real_ip);
    EXPECT_EQ(header_named("X-Forwarded-SSL", &h), NameKind::known);
    EXPECT_EQ(h, Header::forwarded_ssl);
    EXPECT_EQ(header_named("X-HTTPS", &h), NameKind::known);
    EXPECT_EQ(h, Header::https);
    EXPECT_EQ(header_named("X-Forwarded-Prefix", &h), NameKind::unknown);
    EXPECT_EQ(header_named("Forwarded", &h), NameKind::unknown);
    EXPECT_EQ(header_named("X_Forwarded_For", &h), NameKind::invalid);
    EXPECT_EQ(header_named("X-Forwarded-For:", &h), NameKind::invalid);
    EXPECT_EQ(header_named("", &h), NameKind::invalid);
    for (std::size_t i = 0; i < kHeaders; ++i) {
        const HeaderInfo& in = info(static_cast<Header>(i));
        ASSERT_EQ(header_named(in.name, &h), NameKind::known);
        EXPECT_EQ(h, static_cast<Header>(i));
        // HTTP_ + upper case, '-' as '_': the CGI name httpd gives the header
        std::string cgi = "HTTP_";
        for (const char* p = in.name; *p; ++p) cgi += *p == '-' ? '_' : static_cast<char>(toupper(*p));
        EXPECT_EQ(cgi, in.variable);
    }
}

TEST(ProxyRules, Addresses)
{
    EXPECT_EQ(addr("192.0.2.1"), "192.0.2.1");
    EXPECT_EQ(addr("0.0.0.0"), "0.0.0.0");
    EXPECT_EQ(addr("255.255.255.255"), "255.255.255.255");
    for (const char* bad : {"256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "127.1", "0x7f.0.0.1",
                            "2130706433", "1.2.3.4:80", " 1.2.3.4", "1.2.3.4.", ".1.2.3.4", "1..2.3", "",
                            "localhost", "1.2.3.-4", "1.2.3.4/32"})
        EXPECT_EQ(addr(bad), "none") << bad;
    EXPECT_EQ(addr("::1"), "0:0:0:0:0:0:0:1");
    EXPECT_EQ(addr("::"), "0:0:0:0:0:0:0:0");
    EXPECT_EQ(addr("2001:DB8::1"), "2001:db8:0:0:0:0:0:1");
    EXPECT_EQ(addr("1::"), "1:0:0:0:0:0:0:0");
    EXPECT_EQ(addr("1:2:3:4:5:6:7:8"), "1:2:3:4:5:6:7:8");
    EXPECT_EQ(addr("1:2:3:4:5:6:7::"), "1:2:3:4:5:6:7:0");
    EXPECT_EQ(addr("::2:3:4:5:6:7:8"), "0:2:3:4:5:6:7:8");
    EXPECT_EQ(addr("::ffff:192.0.2.1"), "0:0:0:0:0:ffff:c000:201");
    EXPECT_EQ(addr("1:2:3:4:5:6:1.2.3.4"), "1:2:3:4:5:6:102:304");
    EXPECT_EQ(addr("0001:02:003::"), "1:2:3:0:0:0:0:0");
    for (const char* bad : {":", ":::", ":1::", "1:", "1::2::3", "1:::2", "12345::", "1:2:3:4:5:6:7:8:9",
                            "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::", "1:2:3:4:5:6:7", "[::1]", "[::1]:80",
                            "fe80::1%eth0", "::g", "::1.2.3", "::1.2.3.4.5", "1:2:3:4:5:6:7:1.2.3.4",
                            "::ffff:01.2.3.4", "::1.2.3.4:5", "1:2:3:4:5:6::1.2.3.4"})
        EXPECT_EQ(addr(bad), "none") << bad;
}

TEST(ProxyRules, Subnets)
{
    Subnet s;
    auto ok = [&](const char* w) { return parse_subnet(w, &s).empty(); };
    for (const char* w : {"127.0.0.1", "10.0.0.0/8", "10.1.2.3/8", "10.0.0.0/255.0.0.0", "10", "10.1", "10.1.2",
                          "10.1.", "192.168.0.0/16", "0.0.0.0/0.0.0.0", "1.2.3.4/32", "1.2.3.4/08", "::1",
                          "2001:db8::/32", "2001:DB8::/128", "fe80::/10", "01.2.3.4", "10.1.2.3."})
        EXPECT_TRUE(ok(w)) << w;
    for (const char* w : {"", "/8", "10/8", "10.0.0.0/0", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/8/8", "10.0.0.0/x",
                          "10.0.0.0/255.0.0", "localhost", "example.com", "1.2.3.4.5", "256.0.0.0", "10..1",
                          "1.2.3.4 ", "::1/0", "::1/129", "::1/255.255.0.0", "::ffff:1.2.3.4", "::ffff:0:0/96",
                          "2001:db8::/64x", "fe80::1%eth0", "001.002.003.004."})
        EXPECT_FALSE(ok(w)) << w;
    EXPECT_NE(parse_subnet("localhost", &s).find("host names"), std::string::npos);
    EXPECT_NE(parse_subnet("10.0.0.0/33", &s).find("1 to 32"), std::string::npos);
    EXPECT_NE(parse_subnet("::1/129", &s).find("1 to 128"), std::string::npos);
    EXPECT_NE(parse_subnet("::ffff:1.2.3.4", &s).find("IPv4-mapped"), std::string::npos);
    // a control character in a refused word is not echoed as is
    EXPECT_EQ(parse_subnet("a\x01", &s).find('\x01'), std::string::npos);
}

TEST(ProxyRules, SubnetMatching)
{
    auto s = subnets({"10.0.0.0/8", "192.168.1.1", "172.16", "2001:db8::/32", "::1", "198.51.100.0/255.255.255.0"});
    EXPECT_TRUE(trusted(s, "10.200.3.4"));
    EXPECT_TRUE(trusted(s, "192.168.1.1"));
    EXPECT_FALSE(trusted(s, "192.168.1.2"));
    EXPECT_TRUE(trusted(s, "172.16.99.1"));
    EXPECT_FALSE(trusted(s, "172.17.0.1"));
    EXPECT_TRUE(trusted(s, "198.51.100.77"));
    EXPECT_FALSE(trusted(s, "198.51.101.77"));
    EXPECT_TRUE(trusted(s, "2001:db8:ffff::5"));
    EXPECT_FALSE(trusted(s, "2001:db9::5"));
    EXPECT_TRUE(trusted(s, "::1"));
    EXPECT_FALSE(trusted(s, "::2"));
    // IPv4-mapped addresses match IPv4 subnets, as in apr_ipsubnet_test
    EXPECT_TRUE(trusted(s, "::ffff:10.1.1.1"));
    EXPECT_FALSE(trusted(s, "::ffff:11.1.1.1"));
    // other IPv6 addresses never match an IPv4 subnet (APR compares the
    // first 32 bits; a00:: would match 10.0.0.0/8 there)
    EXPECT_FALSE(trusted(s, "a00::1"));
    EXPECT_FALSE(trusted(s, "c0a8:101::"));
    // an IPv6 subnet never matches an IPv4 address
    auto all6 = subnets({"::/1", "8000::/1"});
    EXPECT_TRUE(trusted(all6, "2001:db8::1"));
    EXPECT_FALSE(trusted(all6, "127.0.0.1"));
    EXPECT_FALSE(trusted(all6, "::ffff:127.0.0.1"));
    // the network is masked
    auto masked = subnets({"10.1.2.3/8"});
    EXPECT_TRUE(trusted(masked, "10.9.9.9"));
    // nothing is in no subnet
    EXPECT_FALSE(trusted({}, "127.0.0.1"));
}

Proxies with(const std::vector<Subnet>& s) { return Proxies{true, s}; }

TEST(ProxyRules, ForwardedForWithoutTrustedProxies)
{
    Proxies none;
    auto f = forwarded_for("203.0.113.5, 10.0.0.1", none);
    EXPECT_EQ(f.client, "203.0.113.5");
    EXPECT_FALSE(f.chain);
    EXPECT_EQ(forwarded_for(", , 203.0.113.5, 198.51.100.1", none).client, "203.0.113.5");
    EXPECT_EQ(forwarded_for("203.0.113.5,", none).client, "203.0.113.5");
    EXPECT_EQ(forwarded_for("  spoofed garbage  , 1.2.3.4", none).client, "spoofed garbage");
    EXPECT_EQ(forwarded_for("\t1.2.3.4\t", none).client, "1.2.3.4");
    EXPECT_FALSE(forwarded_for("", none).client);
    EXPECT_FALSE(forwarded_for(" , ,, ", none).client);
}

TEST(ProxyRules, ForwardedForWalk)
{
    auto s = subnets({"127.0.0.1", "10.0.0.0/8", "::1"});
    Proxies p = with(s);
    auto f = forwarded_for("203.0.113.5, 127.0.0.1", p);
    EXPECT_EQ(f.client, "203.0.113.5");
    EXPECT_EQ(f.chain, "203.0.113.5, 127.0.0.1");
    // spoofed elements left of the client are dropped from the chain
    f = forwarded_for("6.6.6.6, 1.1.1.1,203.0.113.5 ,10.1.1.1,  127.0.0.1", p);
    EXPECT_EQ(f.client, "203.0.113.5");
    EXPECT_EQ(f.chain, "203.0.113.5, 10.1.1.1, 127.0.0.1");
    // every element trusted: the first is the client, the chain is all of them
    f = forwarded_for("127.0.0.1, 10.0.0.2", p);
    EXPECT_EQ(f.client, "127.0.0.1");
    EXPECT_EQ(f.chain, "127.0.0.1, 10.0.0.2");
    // the last element not trusted: it is the client and the whole chain
    f = forwarded_for("198.51.100.9, 203.0.113.5", p);
    EXPECT_EQ(f.client, "203.0.113.5");
    EXPECT_EQ(f.chain, "203.0.113.5");
    f = forwarded_for("1.1.1.1, not-an-ip", p);
    EXPECT_EQ(f.client, "not-an-ip");
    EXPECT_EQ(f.chain, "not-an-ip");
    // the element left of the trusted ones is the client even when it is no
    // address (mod_wsgi does the same)
    f = forwarded_for("1.1.1.1, junk, 127.0.0.1", p);
    EXPECT_EQ(f.client, "junk");
    EXPECT_EQ(f.chain, "junk, 127.0.0.1");
    // host names are not looked up: not a trusted proxy
    f = forwarded_for("1.1.1.1, localhost, 127.0.0.1", p);
    EXPECT_EQ(f.client, "localhost");
    // empty elements skipped (RFC 9110 5.6.1, as mod_wsgi 6)
    for (const char* v : {"203.0.113.5, , 127.0.0.1", "203.0.113.5,,127.0.0.1", "203.0.113.5, 127.0.0.1,",
                          ", 203.0.113.5, 127.0.0.1", "203.0.113.5,  ,  , 127.0.0.1"}) {
        f = forwarded_for(v, p);
        EXPECT_EQ(f.client, "203.0.113.5") << v;
        EXPECT_EQ(f.chain, "203.0.113.5, 127.0.0.1") << v;
    }
    // IPv6 elements
    f = forwarded_for("2001:db8::7, ::1", p);
    EXPECT_EQ(f.client, "2001:db8::7");
    EXPECT_EQ(f.chain, "2001:db8::7, ::1");
    f = forwarded_for("2001:db8::7, ::ffff:127.0.0.1", p);
    EXPECT_EQ(f.client, "2001:db8::7");
    // ports and brackets are not addresses
    f = forwarded_for("2001:db8::7, [::1]:443", p);
    EXPECT_EQ(f.client, "[::1]:443");
    f = forwarded_for("1.2.3.4, 127.0.0.1:8080", p);
    EXPECT_EQ(f.client, "127.0.0.1:8080");
    // nothing in it: nothing changes
    f = forwarded_for("  ,  ", p);
    EXPECT_FALSE(f.client);
    EXPECT_FALSE(f.chain);
    // no trusted proxy at all (empty WSGITrustedProxies)
    std::vector<Subnet> empty;
    f = forwarded_for("1.1.1.1, 127.0.0.1", with(empty));
    EXPECT_EQ(f.client, "127.0.0.1");
    EXPECT_EQ(f.chain, "127.0.0.1");
}

// Its own result fed back gives the same result (a header listed twice).
TEST(ProxyRules, ForwardedForIsStable)
{
    auto s = subnets({"127.0.0.1", "10.0.0.0/8"});
    Proxies p = with(s);
    for (const char* v : {"a, b, 10.0.0.1, 127.0.0.1", "x,, 1.2.3.4", "127.0.0.1, 10.0.0.1", "junk", "1.1.1.1, junk"}) {
        auto once = forwarded_for(v, p);
        ASSERT_TRUE(once.chain) << v;
        std::string chain = *once.chain;
        auto twice = forwarded_for(chain, p);
        EXPECT_EQ(std::string(*once.client), std::string(*twice.client)) << v;
        EXPECT_EQ(chain, *twice.chain) << v;
    }
}

// Linear time on values far longer than Apache lets a header be.
TEST(ProxyRules, ForwardedForLongValues)
{
    auto s = subnets({"127.0.0.1"});
    Proxies p = with(s);
    std::string many;
    for (int i = 0; i < 200000; ++i) many += "127.0.0.1,";
    std::string commas(2000000, ',');
    std::string spaces = "1.2.3.4" + std::string(2000000, ' ') + ", 127.0.0.1";
    auto start = std::chrono::steady_clock::now();
    auto f = forwarded_for(many, p);
    EXPECT_EQ(f.client, "127.0.0.1");
    EXPECT_EQ(f.chain->size(), many.size() - 1 + 199999);
    EXPECT_FALSE(forwarded_for(commas, p).client);
    EXPECT_EQ(forwarded_for(spaces, p).client, "1.2.3.4");
    EXPECT_EQ(forwarded_for(many, Proxies{}).client, "127.0.0.1");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

Request request(std::string_view peer, std::initializer_list<std::pair<Header, std::string_view>> headers)
{
    Request r;
    r.remote_addr = peer;
    for (auto& [h, v] : headers) r.headers[static_cast<std::size_t>(h)] = v;
    return r;
}

TEST(ProxyRules, RewriteTrustedPeer)
{
    auto s = subnets({"127.0.0.1"});
    std::vector<Header> list = {Header::forwarded_for, Header::forwarded_host, Header::forwarded_server,
                                Header::forwarded_port, Header::script_name, Header::forwarded_proto};
    auto w = rewrite(list, with(s),
                     request("127.0.0.1", {{Header::forwarded_for, "203.0.113.5, 127.0.0.1"},
                                           {Header::forwarded_host, "app.example.com:8443"},
                                           {Header::forwarded_server, "front.example.com"},
                                           {Header::forwarded_port, "8443"},
                                           {Header::script_name, "/mounted"},
                                           {Header::forwarded_proto, "https"},
                                           {Header::real_ip, "6.6.6.6"},
                                           {Header::host, "spoof.example.com"},
                                           {Header::forwarded_ssl, "off"}}));
    EXPECT_TRUE(w.peer_trusted);
    EXPECT_EQ(w.remote_addr, "203.0.113.5");
    EXPECT_EQ(w.forwarded_for, "203.0.113.5, 127.0.0.1");
    EXPECT_EQ(w.http_host, "app.example.com:8443");
    EXPECT_EQ(w.server_name, "front.example.com");
    EXPECT_EQ(w.server_port, "8443");
    EXPECT_EQ(w.script_name, "/mounted");
    EXPECT_EQ(w.https, Rewrite::Https::on);
    EXPECT_TRUE(w.scheme_decided);
    // the used ones stay, the other headers of their categories go
    EXPECT_FALSE(w.removes(Header::forwarded_for));
    EXPECT_FALSE(w.removes(Header::forwarded_host));
    EXPECT_FALSE(w.removes(Header::forwarded_proto));
    EXPECT_TRUE(w.removes(Header::real_ip));
    EXPECT_TRUE(w.removes(Header::client_ip));
    EXPECT_TRUE(w.removes(Header::host));
    EXPECT_TRUE(w.removes(Header::forwarded_ssl));
    EXPECT_TRUE(w.removes(Header::forwarded_script_name));
}

TEST(ProxyRules, RewriteUntrustedPeer)
{
    auto s = subnets({"10.99.99.99"});
    std::vector<Header> list = {Header::forwarded_for, Header::forwarded_host, Header::forwarded_server,
                                Header::forwarded_port, Header::script_name, Header::forwarded_proto};
    auto r = request("127.0.0.1", {{Header::forwarded_for, "203.0.113.5"},
                                   {Header::forwarded_host, "spoof"},
                                   {Header::forwarded_port, "1"},
                                   {Header::forwarded_proto, "https"}});
    auto w = rewrite(list, with(s), r);
    EXPECT_FALSE(w.peer_trusted);
    EXPECT_FALSE(w.remote_addr);
    EXPECT_FALSE(w.forwarded_for);
    EXPECT_FALSE(w.http_host);
    EXPECT_FALSE(w.server_port);
    EXPECT_EQ(w.https, Rewrite::Https::unchanged);
    EXPECT_FALSE(w.scheme_decided);
    // every header of every listed category goes
    for (std::size_t i = 0; i < kHeaders; ++i) EXPECT_TRUE(w.removes(static_cast<Header>(i))) << i;
    // a peer that is no address is not trusted
    EXPECT_FALSE(rewrite(list, with(s), request("", {})).peer_trusted);
    EXPECT_FALSE(rewrite(list, with(s), request("garbage", {})).peer_trusted);
    // an empty WSGITrustedProxies trusts nobody
    std::vector<Subnet> empty;
    EXPECT_FALSE(rewrite(list, with(empty), request("127.0.0.1", {})).peer_trusted);
    // without WSGITrustedProxies, everybody
    EXPECT_TRUE(rewrite(list, Proxies{}, request("192.0.2.1", {})).peer_trusted);
}

TEST(ProxyRules, OnlyListedCategoriesAreTouched)
{
    std::vector<Header> list = {Header::forwarded_for};
    auto w = rewrite(list, Proxies{},
                     request("127.0.0.1", {{Header::forwarded_for, "203.0.113.5"},
                                           {Header::client_ip, "6.6.6.6"},
                                           {Header::forwarded_host, "h"},
                                           {Header::forwarded_proto, "https"}}));
    EXPECT_EQ(w.remote_addr, "203.0.113.5");
    EXPECT_FALSE(w.forwarded_for);  // left as it is without WSGITrustedProxies
    EXPECT_FALSE(w.http_host);
    EXPECT_EQ(w.https, Rewrite::Https::unchanged);
    EXPECT_EQ(w.remove, (1u << static_cast<unsigned>(Header::client_ip)) |
                            (1u << static_cast<unsigned>(Header::real_ip)));
    // a listed header not sent: its whole category goes, REMOTE_ADDR stays
    w = rewrite(list, Proxies{}, request("127.0.0.1", {{Header::real_ip, "6.6.6.6"}}));
    EXPECT_FALSE(w.remote_addr);
    EXPECT_TRUE(w.removes(Header::forwarded_for));
    EXPECT_TRUE(w.removes(Header::real_ip));
    // nothing listed: nothing at all
    w = rewrite({}, Proxies{}, request("127.0.0.1", {{Header::real_ip, "6.6.6.6"}}));
    EXPECT_EQ(w.remove, 0u);
    EXPECT_FALSE(w.remote_addr);
}

TEST(ProxyRules, SchemeValues)
{
    auto scheme = [](Header h, std::string_view v) {
        std::vector<Header> list = {h};
        return rewrite(list, Proxies{}, request("127.0.0.1", {{h, v}}));
    };
    using H = Rewrite::Https;
    for (Header h : {Header::forwarded_proto, Header::forwarded_scheme, Header::scheme}) {
        EXPECT_EQ(scheme(h, "https").https, H::on);
        EXPECT_EQ(scheme(h, "HTTPS").https, H::on);
        EXPECT_EQ(scheme(h, "http").https, H::off);
        EXPECT_EQ(scheme(h, "Http").https, H::off);
        EXPECT_EQ(scheme(h, "on").https, H::unchanged);
        EXPECT_EQ(scheme(h, "https, http").https, H::unchanged);
        EXPECT_EQ(scheme(h, " https").https, H::unchanged);
        EXPECT_EQ(scheme(h, "").https, H::unchanged);
        EXPECT_TRUE(scheme(h, "wss").scheme_decided);  // sent: mod_ssl's view yields
    }
    for (Header h : {Header::forwarded_https, Header::forwarded_ssl, Header::https}) {
        for (const char* v : {"on", "On", "ON", "true", "TRUE", "1"}) EXPECT_EQ(scheme(h, v).https, H::on) << v;
        for (const char* v : {"off", "Off", "false", "False", "0"}) EXPECT_EQ(scheme(h, v).https, H::off) << v;
        for (const char* v : {"yes", "https", "2", "01", "", "on, on"})
            EXPECT_EQ(scheme(h, v).https, H::unchanged) << v;
    }
}

TEST(ProxyRules, OrderOfTheList)
{
    // within a category the later header sent wins, and only it stays
    std::vector<Header> list = {Header::forwarded_for, Header::real_ip};
    auto r = request("127.0.0.1", {{Header::forwarded_for, "1.1.1.1"}, {Header::real_ip, "2.2.2.2"}});
    auto w = rewrite(list, Proxies{}, r);
    EXPECT_EQ(w.remote_addr, "2.2.2.2");
    EXPECT_TRUE(w.removes(Header::forwarded_for));
    EXPECT_FALSE(w.removes(Header::real_ip));
    std::vector<Header> reversed = {Header::real_ip, Header::forwarded_for};
    w = rewrite(reversed, Proxies{}, r);
    EXPECT_EQ(w.remote_addr, "1.1.1.1");
    EXPECT_FALSE(w.removes(Header::forwarded_for));
    EXPECT_TRUE(w.removes(Header::real_ip));
    // a later header that is not sent does not undo an earlier one
    w = rewrite(list, Proxies{}, request("127.0.0.1", {{Header::forwarded_for, "1.1.1.1"}}));
    EXPECT_EQ(w.remote_addr, "1.1.1.1");
    EXPECT_FALSE(w.removes(Header::forwarded_for));
    // an empty X-Forwarded-For is the one used but changes nothing
    w = rewrite(reversed, Proxies{}, request("127.0.0.1", {{Header::forwarded_for, " , "}, {Header::real_ip, "2.2.2.2"}}));
    EXPECT_EQ(w.remote_addr, "2.2.2.2");
    EXPECT_FALSE(w.removes(Header::forwarded_for));
    EXPECT_TRUE(w.removes(Header::real_ip));
    // scheme: the last recognised value wins
    std::vector<Header> schemes = {Header::forwarded_proto, Header::forwarded_ssl};
    w = rewrite(schemes, Proxies{},
                request("127.0.0.1", {{Header::forwarded_proto, "https"}, {Header::forwarded_ssl, "off"}}));
    EXPECT_EQ(w.https, Rewrite::Https::off);
    w = rewrite(schemes, Proxies{},
                request("127.0.0.1", {{Header::forwarded_proto, "https"}, {Header::forwarded_ssl, "maybe"}}));
    EXPECT_EQ(w.https, Rewrite::Https::on);
    EXPECT_TRUE(w.removes(Header::forwarded_proto));  // the one used last is X-Forwarded-SSL
    // listed twice: the same as once
    std::vector<Header> twice = {Header::forwarded_for, Header::forwarded_for};
    auto s = subnets({"127.0.0.1"});
    w = rewrite(twice, with(s), request("127.0.0.1", {{Header::forwarded_for, "9.9.9.9, 1.1.1.1, 127.0.0.1"}}));
    EXPECT_EQ(w.remote_addr, "1.1.1.1");
    EXPECT_EQ(w.forwarded_for, "1.1.1.1, 127.0.0.1");
}

TEST(ProxyRules, EmptyValuesCountAsSent)
{
    std::vector<Header> list = {Header::real_ip, Header::forwarded_host, Header::forwarded_port};
    auto w = rewrite(list, Proxies{},
                     request("127.0.0.1", {{Header::real_ip, ""}, {Header::forwarded_host, ""}, {Header::forwarded_port, ""}}));
    EXPECT_EQ(w.remote_addr, "");
    EXPECT_EQ(w.http_host, "");
    EXPECT_EQ(w.server_port, "");
    EXPECT_EQ(w.remove & (1u << static_cast<unsigned>(Header::real_ip)), 0u);
}

TEST(ProxyRules, PeerAddresses)
{
    auto s = subnets({"127.0.0.0/8", "::1"});
    std::vector<Header> list = {Header::real_ip};
    auto r = request("127.0.0.1", {{Header::real_ip, "1.2.3.4"}});
    EXPECT_TRUE(rewrite(list, with(s), r).peer_trusted);
    r.remote_addr = "::1";
    EXPECT_TRUE(rewrite(list, with(s), r).peer_trusted);
    r.remote_addr = "::ffff:127.0.0.9";
    EXPECT_TRUE(rewrite(list, with(s), r).peer_trusted);
    r.remote_addr = "::2";
    EXPECT_FALSE(rewrite(list, with(s), r).peer_trusted);
    EXPECT_FALSE(rewrite(list, with(s), r).remote_addr);
}

}  // namespace
