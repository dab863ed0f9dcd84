// wire.cpp - see wire.h.
#include "core/wire.h"

#include <climits>
#include <cstdint>

namespace wsgi::wire {

namespace {

void put_u32(std::string& out, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

void put_u64(std::string& out, std::uint64_t v)
{
    for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

void put_str(std::string& out, std::string_view s)
{
    put_u32(out, static_cast<std::uint32_t>(s.size()));
    out.append(s);
    out += '\0';
}

// Reads a payload front to back; any read past the end makes it bad for good.
class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool ok() const { return ok_; }

    template <typename T>
    T little_endian()
    {
        if (!need(sizeof(T))) return 0;
        T v = 0;
        for (std::size_t i = 0; i < sizeof(T); ++i)
            v |= static_cast<T>(static_cast<std::uint8_t>(in_[pos_ + i])) << (8 * i);
        pos_ += sizeof(T);
        return v;
    }
    bool done() const { return ok_ && pos_ == in_.size(); }

    std::uint8_t u8()
    {
        if (!need(1)) return 0;
        return static_cast<std::uint8_t>(in_[pos_++]);
    }
    std::uint32_t u32() { return little_endian<std::uint32_t>(); }
    std::uint64_t u64() { return little_endian<std::uint64_t>(); }
    std::string_view str()
    {
        std::uint32_t n = u32();
        if (n == UINT32_MAX) ok_ = false;  // no room for it and its NUL: bad like any other impossible length
        if (!ok_ || !need(static_cast<std::size_t>(n) + 1)) return {};
        if (in_[pos_ + n] != '\0') {
            ok_ = false;
            return {};
        }
        std::string_view s = in_.substr(pos_, n);
        pos_ += static_cast<std::size_t>(n) + 1;
        return s;
    }
    // A count of items each at least `min_size` bytes: never more than the
    // rest of the payload could hold (so a forged count cannot make the
    // caller reserve memory).
    std::uint32_t count(std::size_t min_size)
    {
        std::uint32_t n = u32();
        if (ok_ && n > (in_.size() - pos_) / min_size) ok_ = false;
        return ok_ ? n : 0;
    }

private:
    bool need(std::size_t n)
    {
        if (ok_ && in_.size() - pos_ >= n) return true;
        ok_ = false;
        return false;
    }
    std::string_view in_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

bool known_type(char t)
{
    switch (t) {
    case kRequest: case kData: case kFail: case kHead: case kBody: case kRead: case kEnd: case kStatus:
    case kRestart: case kPid: case kClose: case kElsewhere:
        return true;
    default:
        return false;
    }
}

// The length field of the header at `at`, filled in once the payload is written.
void patch_length(std::string& out, std::size_t at)
{
    auto len = static_cast<std::uint32_t>(out.size() - at - kHeaderSize);
    for (int i = 0; i < 4; ++i) out[at + 1 + i] = static_cast<char>((len >> (8 * i)) & 0xff);
}

}  // namespace

void put_header(std::string& out, char type, std::uint32_t length)
{
    out += type;
    put_u32(out, length);
}

bool parse_header(const char* in, char* type, std::uint32_t* length)
{
    *type = in[0];
    Reader r(std::string_view(in + 1, 4));
    *length = r.u32();
    return known_type(*type);
}

void encode_request(std::string& out, const RequestFrame& q)
{
    std::size_t at = out.size();
    put_header(out, kRequest, 0);
    out += static_cast<char>(q.flags);
    put_u64(out, static_cast<std::uint64_t>(q.mtime));
    put_u64(out, static_cast<std::uint64_t>(q.request_time));
    put_str(out, q.script_path);
    put_str(out, q.callable);
    put_str(out, q.app_group);
    put_u32(out, static_cast<std::uint32_t>(q.variables.size()));
    for (const Pair& p : q.variables) {
        put_str(out, p.first);
        put_str(out, p.second);
    }
    patch_length(out, at);
}

void encode_head(std::string& out, int status, std::string_view status_line, const std::vector<Pair>& headers)
{
    std::size_t at = out.size();
    put_header(out, kHead, 0);
    put_u32(out, static_cast<std::uint32_t>(status));
    put_str(out, status_line);
    put_u32(out, static_cast<std::uint32_t>(headers.size()));
    for (const Pair& p : headers) {
        put_str(out, p.first);
        put_str(out, p.second);
    }
    patch_length(out, at);
}

void encode_u32_message(std::string& out, char type, std::uint32_t value)
{
    put_header(out, type, 4);
    put_u32(out, value);
}

void encode_end(std::string& out, bool complete)
{
    put_header(out, kEnd, 1);
    out += static_cast<char>(complete ? 1 : 0);
}

void encode_fail(std::string& out, int status, std::string_view message)
{
    put_header(out, kFail, static_cast<std::uint32_t>(9 + message.size()));
    put_u32(out, static_cast<std::uint32_t>(status));
    put_str(out, message);
}

bool decode_request(std::string_view payload, RequestFrame* q)
{
    Reader r(payload);
    q->flags = r.u8();
    q->mtime = static_cast<std::int64_t>(r.u64());
    q->request_time = static_cast<std::int64_t>(r.u64());
    q->script_path = r.str();
    q->callable = r.str();
    q->app_group = r.str();
    std::uint32_t n = r.count(10);
    q->variables.clear();
    q->variables.reserve(n);
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
        std::string_view k = r.str();
        std::string_view v = r.str();
        q->variables.emplace_back(k, v);
    }
    return r.done() && !q->script_path.empty() && !q->callable.empty();
}

bool decode_head(std::string_view payload, Head* h)
{
    Reader r(payload);
    std::uint32_t status = r.u32();
    h->status_line = r.str();
    std::uint32_t n = r.count(10);
    h->headers.clear();
    h->headers.reserve(n);
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
        std::string_view k = r.str();
        std::string_view v = r.str();
        h->headers.emplace_back(k, v);
    }
    if (!r.done() || status < 100 || status > 999) return false;
    h->status = static_cast<int>(status);
    return true;
}

bool decode_u32(std::string_view payload, std::uint32_t* out)
{
    Reader r(payload);
    *out = r.u32();
    return r.done();
}

bool decode_end(std::string_view payload, bool* complete)
{
    Reader r(payload);
    std::uint8_t v = r.u8();
    *complete = v != 0;
    return r.done() && v <= 1;
}

bool decode_fail(std::string_view payload, int* status, std::string_view* message)
{
    Reader r(payload);
    *status = static_cast<int>(static_cast<std::int32_t>(r.u32()));
    *message = r.str();
    return r.done();
}

bool same_secret(const unsigned char* a, const unsigned char* b)
{
    unsigned char diff = 0;
    for (std::size_t i = 0; i < kSecretSize; ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace wsgi::wire
