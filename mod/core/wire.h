// wire.h - the protocol between an Apache child and a daemon process over a
// UNIX stream socket: pure encoding and decoding (no I/O), unit tested and
// fuzzed; daemon/ does the I/O.
//
// A connection starts with a hello (child -> daemon): kMagic and the
// server generation's secret. Then requests, one at a time; a connection is
// kept for the next request only after a clean End.
//
// Every message is a 5-byte header (type, length as u32 little-endian)
// and `length` payload bytes.
//   child -> daemon:  'Q' request (RequestFrame)
//                     'D' body data, sent only when asked by 'R' (length 0: end of body)
//                     'X' the body could not be read: i32 status, str message
//   daemon -> child:  'P' u32 the daemon process's pid: first on a new connection, when a
//                         worker thread takes it up; again as each request starts to run
//                         when the group has request-timeout (the child's clock starts)
//                     'H' status and headers (Head)
//                     'B' response body bytes (the child passes them on, flushed, in pieces
//                         of at most response-buffer-size)
//                     'R' send body: u32 the most bytes wanted
//                     'E' end of the response: u8 complete (0: the client must see it broken)
//                     'S' nothing was sent: answer with this HTTP status (u32; Apache's error
//                         page; kAnsweredStatus: the child's own input filter answered already)
//                     'Z' nothing ran: this process is restarting (a script changed); ask again
//                     'N' (instead of anything else, on a kept connection) nothing was read and
//                         nothing ran: every thread of this process is busy and another
//                         process of the group has one free; send the request again on a new
//                         connection (the connection is closed)
//                     'C' (on a connection with no request in flight) this process is stopping:
//                         close the connection instead of sending another request on it
// Strings are u32 length + bytes + a NUL (not counted), so a decoded view
// is also a C string in the message buffer. Nothing is trusted before the hello's
// secret matched, and every length is checked against the payload and the
// limits below.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsgi::wire {

constexpr char kMagic[4] = {'W', 'S', 'G', '1'};
constexpr std::size_t kSecretSize = 32;
constexpr std::size_t kHelloSize = sizeof kMagic + kSecretSize;
constexpr std::size_t kHeaderSize = 5;
// A request's head: Apache's own limits (LimitRequestFields x
// LimitRequestFieldSize) keep real ones far below this.
constexpr std::uint32_t kMaxRequest = 4u << 20;
// The most body bytes one 'B' or 'D' message carries.
constexpr std::uint32_t kMaxChunk = 256u << 10;
// The 'S' status that means: the Apache child answered the client itself.
constexpr std::uint32_t kAnsweredStatus = 0xffffffffu;

enum Type : char {
    kRequest = 'Q',
    kData = 'D',
    kFail = 'X',
    kHead = 'H',
    kBody = 'B',
    kRead = 'R',
    kEnd = 'E',
    kStatus = 'S',
    kRestart = 'Z',
    kPid = 'P',
    kClose = 'C',
    kElsewhere = 'N',
};

enum Flags : std::uint8_t {
    kReloading = 1,          // WSGIScriptReloading On
    kPassAuthorization = 2,  // HTTP_AUTHORIZATION is among the variables
    kHttps = 4,
    kHeadOnly = 8,           // a HEAD request: the body is not sent
    kPickleDiagnostics = 16, // WSGIPickleDiagnostics On for the request's server
    kIgnoreActivity = 32,    // WSGIIgnoreActivity On: not activity for inactivity-timeout
    kPickleResolve = 64,     // WSGIPickleResolve On for the request's server
};

using Pair = std::pair<std::string_view, std::string_view>;

struct RequestFrame {
    std::uint8_t flags = 0;
    std::int64_t mtime = 0;         // the script's mtime as the child saw it
    std::int64_t request_time = 0;  // when the request began (apr_time_t)
    std::string_view script_path, callable, app_group;
    std::vector<Pair> variables;    // the CGI variables, in order
};

struct Head {
    int status = 200;
    std::string_view status_line;
    std::vector<Pair> headers;
};

// Append a message header.
void put_header(std::string& out, char type, std::uint32_t length);
// Read one; false when the type is unknown.
bool parse_header(const char* in, char* type, std::uint32_t* length);

// Whole messages (header and payload) appended to out.
void encode_request(std::string& out, const RequestFrame& r);
void encode_head(std::string& out, int status, std::string_view status_line, const std::vector<Pair>& headers);
void encode_u32_message(std::string& out, char type, std::uint32_t value);  // 'R'
void encode_end(std::string& out, bool complete);
void encode_fail(std::string& out, int status, std::string_view message);

// Payload decoders: false when the payload is malformed (truncated, a
// length beyond the payload, trailing bytes). Views point into payload.
bool decode_request(std::string_view payload, RequestFrame* out);
bool decode_head(std::string_view payload, Head* out);
bool decode_u32(std::string_view payload, std::uint32_t* out);
bool decode_end(std::string_view payload, bool* complete);
bool decode_fail(std::string_view payload, int* status, std::string_view* message);

// Equal secrets, in time that does not depend on where they differ.
bool same_secret(const unsigned char* a, const unsigned char* b);

}  // namespace wsgi::wire
