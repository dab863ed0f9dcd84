// proxy_rules.cpp - see proxy_rules.h.
#include "core/proxy_rules.h"

#include <cstring>

namespace wsgi::proxy {

namespace {

constexpr HeaderInfo kInfo[kHeaders] = {
    {"X-Forwarded-For", "HTTP_X_FORWARDED_FOR", Category::client},
    {"X-Client-IP", "HTTP_X_CLIENT_IP", Category::client},
    {"X-Real-IP", "HTTP_X_REAL_IP", Category::client},
    {"X-Forwarded-Host", "HTTP_X_FORWARDED_HOST", Category::host},
    {"X-Host", "HTTP_X_HOST", Category::host},
    {"X-Forwarded-Server", "HTTP_X_FORWARDED_SERVER", Category::server},
    {"X-Forwarded-Port", "HTTP_X_FORWARDED_PORT", Category::port},
    {"X-Script-Name", "HTTP_X_SCRIPT_NAME", Category::script_name},
    {"X-Forwarded-Script-Name", "HTTP_X_FORWARDED_SCRIPT_NAME", Category::script_name},
    {"X-Forwarded-Proto", "HTTP_X_FORWARDED_PROTO", Category::scheme},
    {"X-Forwarded-Scheme", "HTTP_X_FORWARDED_SCHEME", Category::scheme},
    {"X-Scheme", "HTTP_X_SCHEME", Category::scheme},
    {"X-Forwarded-HTTPS", "HTTP_X_FORWARDED_HTTPS", Category::scheme},
    {"X-Forwarded-SSL", "HTTP_X_FORWARDED_SSL", Category::scheme},
    {"X-HTTPS", "HTTP_X_HTTPS", Category::scheme},
};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// The white space of C's isspace() in the "C" locale, as mod_wsgi trims.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

std::string_view trim(std::string_view s)
{
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Four decimal numbers 0-255 separated by dots, no leading zeros, into out[0..3].
bool parse_v4(std::string_view s, std::uint8_t* out)
{
    int parts = 0, value = 0;
    bool in_number = false;
    for (char c : s) {
        if (is_digit(c)) {
            if (in_number && value == 0) return false;  // a leading zero
            value = value * 10 + (c - '0');
            if (value > 255) return false;
            if (!in_number) {
                if (++parts > 4) return false;
                in_number = true;
            }
        } else if (c == '.' && in_number) {
            if (parts == 4) return false;
            out[parts - 1] = static_cast<std::uint8_t>(value);
            value = 0;
            in_number = false;
        } else {
            return false;
        }
    }
    if (parts != 4 || !in_number) return false;
    out[3] = static_cast<std::uint8_t>(value);
    return true;
}

// RFC 4291 text form into out[0..15].
bool parse_v6(std::string_view s, std::uint8_t* out)
{
    std::uint8_t groups[16] = {};
    std::size_t n = 0;           // bytes written
    long gap = -1;               // where "::" stands, in bytes
    std::size_t i = 0;
    if (s.size() > 45) return false;  // longer than any address
    if (s.starts_with("::")) {
        gap = 0;
        i = 2;
        if (i == s.size()) {
            std::memset(out, 0, 16);
            return true;
        }
    } else if (s.starts_with(":")) {
        return false;
    }
    while (i < s.size()) {
        // one group: up to 4 hex digits, or a dotted IPv4 tail
        std::size_t start = i;
        unsigned value = 0;
        while (i < s.size() && i - start < 5 && hex_value(s[i]) >= 0) value = value * 16 + static_cast<unsigned>(hex_value(s[i++]));
        std::size_t digits = i - start;
        if (i < s.size() && s[i] == '.') {
            if (n + 4 > 16 || !parse_v4(s.substr(start), groups + n)) return false;
            n += 4;
            i = s.size();
            break;
        }
        if (digits == 0 || digits > 4 || n + 2 > 16) return false;
        groups[n++] = static_cast<std::uint8_t>(value >> 8);
        groups[n++] = static_cast<std::uint8_t>(value & 0xff);
        if (i == s.size()) break;
        if (s[i] != ':') return false;
        ++i;
        if (i < s.size() && s[i] == ':') {
            if (gap >= 0) return false;  // a second "::"
            gap = static_cast<long>(n);
            ++i;
            if (i == s.size()) break;
        } else if (i == s.size()) {
            return false;  // a single ':' at the end
        }
    }
    if (gap >= 0) {
        if (n == 16) return false;  // "::" must stand for at least one group
        std::size_t tail = n - static_cast<std::size_t>(gap);
        std::memset(out, 0, 16);
        std::memcpy(out, groups, static_cast<std::size_t>(gap));
        std::memcpy(out + 16 - tail, groups + gap, tail);
        return true;
    }
    if (n != 16) return false;
    std::memcpy(out, groups, 16);
    return true;
}

bool v4_mapped(const Address& a)
{
    static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return a.v6 && std::memcmp(a.bytes.data(), kPrefix, 12) == 0;
}

// The decimal prefix length of a mask, 1..max; -1 when not one.
int prefix_length(std::string_view s, int max)
{
    if (s.empty() || s.size() > 8) return -1;
    int v = 0;
    for (char c : s) {
        if (!is_digit(c)) return -1;
        v = v * 10 + (c - '0');
    }
    return v >= 1 && v <= max ? v : -1;
}

// APR's legacy network form: 1 to 4 leading octets, decimal (leading zeros
// allowed), optionally a final '.'; "10.1" is 10.1.0.0/16.
bool parse_network(std::string_view s, Subnet* out)
{
    if (s.empty() || s.size() > 15) return false;
    int parts = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        if (!is_digit(s[i]) || parts == 4) return false;
        int value = 0;
        while (i < s.size() && is_digit(s[i])) {
            value = value * 10 + (s[i++] - '0');
            if (value > 255) return false;
        }
        out->network.bytes[parts] = static_cast<std::uint8_t>(value);
        out->mask[parts] = 0xff;
        ++parts;
        if (i < s.size() && s[i++] != '.') return false;
    }
    return true;
}

std::string quoted(std::string_view word)
{
    std::string q = "'";
    for (char c : word.substr(0, 100)) q += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    if (word.size() > 100) q += "...";
    return q + "'";
}

// The elements of a list, right to left: trimmed, empty ones skipped.
class FromTheRight {
public:
    explicit FromTheRight(std::string_view v) : v_(v), end_(v.size()) {}
    // The next element and its offset in the value; false at the left end.
    bool next(std::string_view* element, std::size_t* offset)
    {
        while (end_ != std::string_view::npos) {
            std::size_t comma = end_ == 0 ? std::string_view::npos : v_.rfind(',', end_ - 1);
            std::size_t start = comma == std::string_view::npos ? 0 : comma + 1;
            std::string_view raw = v_.substr(start, end_ - start);
            end_ = comma;  // npos: this was the first element
            std::string_view e = trim(raw);
            if (!e.empty()) {
                *element = e;
                *offset = static_cast<std::size_t>(e.data() - v_.data());
                return true;
            }
        }
        return false;
    }

private:
    std::string_view v_;
    std::size_t end_;  // one past the element to look at next; npos when done
};

// The elements of v from the left, joined with ", ".
std::string joined(std::string_view v)
{
    std::string out;
    out.reserve(v.size() + v.size() / 2 + 1);
    while (true) {
        std::size_t comma = v.find(',');
        std::string_view e = trim(v.substr(0, comma));
        if (!e.empty()) {
            if (!out.empty()) out += ", ";
            out += e;
        }
        if (comma == std::string_view::npos) break;
        v.remove_prefix(comma + 1);
    }
    return out;
}

bool trusted_address(std::string_view text, const Proxies& proxies)
{
    std::optional<Address> a = parse_address(text);
    return a && in_subnets(*a, proxies.subnets);
}

}  // namespace

const HeaderInfo& info(Header h) { return kInfo[static_cast<std::size_t>(h)]; }

NameKind header_named(std::string_view word, Header* out)
{
    if (word.empty()) return NameKind::invalid;
    for (char c : word)
        if (!(is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z') || c == '-')) return NameKind::invalid;
    for (std::size_t i = 0; i < kHeaders; ++i) {
        if (iequals(word, kInfo[i].name)) {
            *out = static_cast<Header>(i);
            return NameKind::known;
        }
    }
    return NameKind::unknown;
}

std::optional<Address> parse_address(std::string_view text)
{
    Address a;
    if (text.find(':') != std::string_view::npos) {
        if (!parse_v6(text, a.bytes.data())) return std::nullopt;
        a.v6 = true;
        return a;
    }
    if (!parse_v4(text, a.bytes.data())) return std::nullopt;
    return a;
}

std::string parse_subnet(std::string_view word, Subnet* out)
{
    Subnet s;
    std::size_t slash = word.find('/');
    std::string_view ip = word.substr(0, slash);
    std::optional<std::string_view> mask;
    if (slash != std::string_view::npos) mask = word.substr(slash + 1);
    if (ip.find(':') != std::string_view::npos) {
        if (!parse_v6(ip, s.network.bytes.data())) return quoted(word) + " is not an IPv6 address or subnet";
        s.network.v6 = true;
        if (v4_mapped(s.network))
            return quoted(word) + " is an IPv4-mapped IPv6 address: write the IPv4 address (a.b.c.d) instead";
        s.mask.fill(0xff);
        if (mask) {
            int bits = prefix_length(*mask, 128);
            if (bits < 0) return quoted(word) + ": the prefix length after '/' must be a number from 1 to 128";
            s.mask.fill(0);
            for (int b = 0; b < bits; ++b) s.mask[b / 8] |= static_cast<std::uint8_t>(0x80 >> (b % 8));
        }
    } else {
        for (char c : ip)
            if (!is_digit(c) && c != '.')
                return quoted(word) + " is not an IP address or subnet (host names are not accepted)";
        if (parse_v4(ip, s.network.bytes.data())) {
            s.mask[0] = s.mask[1] = s.mask[2] = s.mask[3] = 0xff;
        } else if (mask || !parse_network(ip, &s)) {
            return quoted(word) + " is not an IPv4 address" +
                   (mask ? std::string() : std::string(" or the leading numbers of one (such as 10.1)"));
        }
        if (mask) {
            int bits = prefix_length(*mask, 32);
            if (bits > 0) {
                s.mask = {};
                for (int b = 0; b < bits; ++b) s.mask[b / 8] |= static_cast<std::uint8_t>(0x80 >> (b % 8));
            } else if (!parse_v4(*mask, s.mask.data())) {
                return quoted(word) +
                       ": the mask after '/' must be a prefix length from 1 to 32 or a netmask such as 255.255.0.0";
            }
        }
    }
    for (std::size_t i = 0; i < 16; ++i) s.network.bytes[i] &= s.mask[i];
    *out = s;
    return {};
}

bool in_subnets(const Address& a, std::span<const Subnet> subnets)
{
    bool mapped = v4_mapped(a);
    const std::uint8_t* v4 = !a.v6 ? a.bytes.data() : mapped ? a.bytes.data() + 12 : nullptr;
    for (const Subnet& s : subnets) {
        if (!s.network.v6) {
            if (!v4) continue;
            bool match = true;
            for (int i = 0; i < 4 && match; ++i) match = (v4[i] & s.mask[i]) == s.network.bytes[i];
            if (match) return true;
        } else if (a.v6 && !mapped) {
            bool match = true;
            for (int i = 0; i < 16 && match; ++i) match = (a.bytes[i] & s.mask[i]) == s.network.bytes[i];
            if (match) return true;
        }
    }
    return false;
}

ForwardedFor forwarded_for(std::string_view value, const Proxies& proxies)
{
    ForwardedFor out;
    FromTheRight elements(value);
    std::string_view e;
    std::size_t at = 0;
    if (!proxies.set) {
        // the leftmost element: the last one met walking from the right
        while (elements.next(&e, &at)) out.client = e;
        return out;
    }
    std::string_view rightmost, client;
    std::size_t client_at = 0;
    bool any = false, trusted_seen = false;
    while (elements.next(&e, &at)) {
        if (!any) rightmost = e;
        any = true;
        client = e;
        client_at = at;
        if (!trusted_address(e, proxies)) break;  // not a trusted proxy (or not an address): the client
        trusted_seen = true;
    }
    if (!any) return out;
    if (!trusted_seen) {
        out.client = rightmost;
        out.chain = std::string(rightmost);
        return out;
    }
    // `client` is the element left of the trusted ones, or the first
    // element when every one is trusted.
    out.client = client;
    out.chain = joined(value.substr(client_at));
    return out;
}

Rewrite rewrite(std::span<const Header> trusted, const Proxies& proxies, const Request& request)
{
    Rewrite out;
    out.peer_trusted = !proxies.set || trusted_address(request.remote_addr, proxies);
    std::array<bool, kCategories> listed{};
    std::array<std::optional<Header>, kCategories> used{};
    for (Header h : trusted) {
        if (static_cast<std::size_t>(h) >= kHeaders) continue;
        auto category = static_cast<std::size_t>(info(h).category);
        listed[category] = true;
        const std::optional<std::string_view>& value = request.headers[static_cast<std::size_t>(h)];
        if (!out.peer_trusted || !value) continue;
        std::string_view v = *value;
        switch (h) {
        case Header::forwarded_for: {
            // Listing it twice gives the same result: the walk over its own
            // rewritten value ends where it ended the first time.
            ForwardedFor f = forwarded_for(v, proxies);
            if (f.client) out.remote_addr = f.client;
            if (f.chain) out.forwarded_for = std::move(f.chain);
            break;
        }
        case Header::client_ip:
        case Header::real_ip:
            out.remote_addr = v;
            break;
        case Header::forwarded_host:
        case Header::host:
            out.http_host = v;
            break;
        case Header::forwarded_server:
            out.server_name = v;
            break;
        case Header::forwarded_port:
            out.server_port = v;
            break;
        case Header::script_name:
        case Header::forwarded_script_name:
            out.script_name = v;
            break;
        case Header::forwarded_proto:
        case Header::forwarded_scheme:
        case Header::scheme:
            if (iequals(v, "https"))
                out.https = Rewrite::Https::on;
            else if (iequals(v, "http"))
                out.https = Rewrite::Https::off;
            break;
        case Header::forwarded_https:
        case Header::forwarded_ssl:
        case Header::https:
            if (iequals(v, "on") || iequals(v, "true") || v == "1")
                out.https = Rewrite::Https::on;
            else if (iequals(v, "off") || iequals(v, "false") || v == "0")
                out.https = Rewrite::Https::off;
            break;
        }
        used[category] = h;
    }
    for (std::size_t i = 0; i < kHeaders; ++i) {
        auto category = static_cast<std::size_t>(kInfo[i].category);
        if (listed[category] && used[category] != static_cast<Header>(i)) out.remove |= 1u << i;
    }
    out.scheme_decided = used[static_cast<std::size_t>(Category::scheme)].has_value();
    return out;
}

}  // namespace wsgi::proxy
