// proxy_rules.h - WSGITrustedProxyHeaders and WSGITrustedProxies as pure
// rules (no httpd, no Python; unit tested on their own): the header names
// mod_wsgi knows, IP addresses and subnets, the X-Forwarded-For walk, and
// what one request's headers change in its CGI variables.
//
// The behaviour is mod_wsgi's (wsgi_process_proxy_headers, as of mod_wsgi
// 6.0: empty X-Forwarded-For elements skipped, X-Forwarded-Server and
// X-Forwarded-Port removed when not trusted, a trusted scheme header wins
// over the connection's TLS). Where we differ, on purpose: addresses are
// parsed as numbers only (never looked up in DNS, no inet_aton forms such
// as "127.1"), and an IPv6 address never matches an IPv4 subnet unless it
// is IPv4-mapped. docs/directives/WSGITrustedProxyHeaders.md has the list.
//
// Header values come from clients: every function here costs time linear
// in the value's length and allocates at most one string of about that
// length.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace wsgi::proxy {

// The headers mod_wsgi knows, in the order of its registry.
enum class Header : std::uint8_t {
    forwarded_for,          // X-Forwarded-For        -> REMOTE_ADDR (a list: see forwarded_for())
    client_ip,              // X-Client-IP            -> REMOTE_ADDR, as is
    real_ip,                // X-Real-IP              -> REMOTE_ADDR, as is
    forwarded_host,         // X-Forwarded-Host       -> HTTP_HOST, as is
    host,                   // X-Host                 -> HTTP_HOST, as is
    forwarded_server,       // X-Forwarded-Server     -> SERVER_NAME, as is
    forwarded_port,         // X-Forwarded-Port       -> SERVER_PORT, as is
    script_name,            // X-Script-Name          -> SCRIPT_NAME (and mod_wsgi.mount_point), as is
    forwarded_script_name,  // X-Forwarded-Script-Name
    forwarded_proto,        // X-Forwarded-Proto      -> HTTPS from "https" / "http"
    forwarded_scheme,       // X-Forwarded-Scheme
    scheme,                 // X-Scheme
    forwarded_https,        // X-Forwarded-HTTPS      -> HTTPS from On/Off, true/false, 1/0
    forwarded_ssl,          // X-Forwarded-SSL
    https,                  // X-HTTPS
};
inline constexpr std::size_t kHeaders = 15;

// What a header is about. Of the headers of one category only the one that
// was used stays in the environ (see rewrite()).
enum class Category : std::uint8_t { client, host, server, port, script_name, scheme };
inline constexpr std::size_t kCategories = 6;

struct HeaderInfo {
    const char* name;      // "X-Forwarded-For"
    const char* variable;  // "HTTP_X_FORWARDED_FOR", the name in the CGI variables
    Category category;
};
const HeaderInfo& info(Header h);

// A word of WSGITrustedProxyHeaders, in any case. `invalid`: empty, or a
// character other than a letter, digit or '-' (no request header of such a
// name reaches the CGI variables). `unknown`: well-formed, but not a header
// of the list above (mod_wsgi ignores it; so do we, with a warning).
enum class NameKind { known, unknown, invalid };
NameKind header_named(std::string_view word, Header* out);

// ---- addresses -------------------------------------------------------------

struct Address {
    std::array<std::uint8_t, 16> bytes{};  // network order; IPv4 in the first 4
    bool v6 = false;
};
// A numeric address: IPv4 as four decimal numbers 0-255 without leading
// zeros ("192.0.2.1"), or IPv6 as RFC 4291 writes it (hex digits in either
// case, one "::", a dotted IPv4 tail). Nothing else: no host names, ports,
// brackets, zone ids, or inet_aton forms ("127.1", "0x7f.0.0.1").
std::optional<Address> parse_address(std::string_view text);

// A WSGITrustedProxies entry, as mod_wsgi (apr_ipsubnet_create) takes it:
//   192.0.2.7          one address      2001:db8::1       one address
//   10.0.0.0/8         prefix length    2001:db8::/32     prefix length 1-128
//   10.0.0.0/255.0.0.0 IPv4 netmask
//   10 / 10.1 / 10.1.2 / 10.1. the leading octets of a network (no '/')
// The network is masked ("10.1.2.3/8" is 10.0.0.0/8). An IPv4-mapped IPv6
// address (::ffff:a.b.c.d) is refused, as by APR: write a.b.c.d.
struct Subnet {
    Address network;
    std::array<std::uint8_t, 16> mask{};
};
// "" when `word` is an entry (then *out is set); else why it is not.
std::string parse_subnet(std::string_view word, Subnet* out);

// Whether an address is in one of the subnets. An IPv4 address, and an
// IPv4-mapped IPv6 one, matches IPv4 subnets; any other IPv6 address
// matches IPv6 subnets.
bool in_subnets(const Address& a, std::span<const Subnet> subnets);

// WSGITrustedProxies as a request sees it. `set` false: not configured;
// then every peer counts as a trusted proxy.
struct Proxies {
    bool set = false;
    std::span<const Subnet> subnets;
};

// ---- X-Forwarded-For ---------------------------------------------------------

// What an X-Forwarded-For value (a comma-separated list, each element
// trimmed of white space, empty elements skipped) says:
//   WSGITrustedProxies not set: the client is the first element; the
//     header stays as it is (chain nullopt).
//   set: walking from the right, the trailing elements that are addresses
//     of trusted proxies are skipped; the client is the element just left
//     of them (whatever it is), or the first element when all are trusted;
//     the header becomes the elements from the client on, joined with ", ".
//     When the last element is not a trusted proxy (or not an address),
//     it is the client and the whole new header.
// No element at all: client and chain nullopt (nothing changes).
struct ForwardedFor {
    std::optional<std::string_view> client;  // a piece of `value`
    std::optional<std::string> chain;
};
ForwardedFor forwarded_for(std::string_view value, const Proxies& proxies);

// ---- one request --------------------------------------------------------------

struct Request {
    std::string_view remote_addr;  // REMOTE_ADDR as httpd set it (the peer)
    std::array<std::optional<std::string_view>, kHeaders> headers;  // indexed by Header
};

// What the request's CGI variables become. Headers are applied in the
// order listed (a later one of the same category wins), only when the peer
// is trusted and the header was sent (an empty value counts as sent).
struct Rewrite {
    enum class Https : std::uint8_t { unchanged, on, off };  // on: HTTPS=1; off: no HTTPS
    bool peer_trusted = false;
    std::optional<std::string_view> remote_addr;  // REMOTE_ADDR
    std::optional<std::string> forwarded_for;     // HTTP_X_FORWARDED_FOR (unless removed)
    std::optional<std::string_view> http_host;    // HTTP_HOST
    std::optional<std::string_view> server_name;  // SERVER_NAME
    std::optional<std::string_view> server_port;  // SERVER_PORT
    std::optional<std::string_view> script_name;  // SCRIPT_NAME and mod_wsgi.mount_point
    Https https = Https::unchanged;
    // A trusted scheme header was sent: the scheme follows HTTPS as left
    // here, even over a TLS connection (the proxy knows the client's).
    bool scheme_decided = false;
    // Headers removed from the CGI variables (bit 1 << Header): for every
    // category that has a header in the list, all its headers but the one
    // used. So a client can never pass one through a peer that is not a
    // trusted proxy.
    std::uint32_t remove = 0;

    bool removes(Header h) const { return remove & (1u << static_cast<unsigned>(h)); }
};
Rewrite rewrite(std::span<const Header> trusted, const Proxies& proxies, const Request& request);

}  // namespace wsgi::proxy
