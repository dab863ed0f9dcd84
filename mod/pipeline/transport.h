// transport.h - what the WSGI request pipeline reads a request from and
// writes its response to. Embedded mode's transport is the Apache request
// and its brigades (httpd/apache_transport.h); daemon mode's is the socket
// from the Apache child. No pipeline code knows which one it has.
//
// Threads and the GIL: one request's transport is used by one thread at a
// time. The calls marked "may block" are made WITHOUT the GIL (the pipeline
// gives it up around them); the others are quick and made with it held.
// Memory: pool() lives as long as the request; what the pipeline hands to
// set_head() is allocated there.
#pragma once

#include "base/log.h"
#include "core/body_reader.h"

#include <apr_tables.h>

namespace wsgi {

struct ResponseHeader {
    const char* name;
    const char* value;
};

// The request line's facts, for log lines written from Python.
struct RequestLine {
    const char* client_ip;
    const char* method;
    const char* uri;
};

class Transport {
public:
    virtual ~Transport() = default;

    // --- the request ------------------------------------------------------
    virtual apr_pool_t* pool() = 0;
    // The CGI variables (SERVER_*, REQUEST_*, SCRIPT_NAME, PATH_INFO, the
    // HTTP_* headers...), in the same order from request to request.
    virtual const apr_table_t* variables() = 0;
    virtual bool https() = 0;
    virtual bool head_only() = 0;  // HEAD: the body is not sent
    virtual LogTarget log_target() = 0;
    virtual RequestLine request_line() = 0;

    // --- the body ---------------------------------------------------------
    // Its reads may block: the pipeline calls them without the GIL.
    virtual BodySource& body() = 0;
    // After a failed read: the HTTP status it calls for (413, 400, 408), or
    // kAnswered when the server has already answered the client itself.
    virtual int body_status() = 0;
    static constexpr int kAnswered = -1;

    // --- the response -----------------------------------------------------
    // Status and headers, before any body (no I/O: sent with the first flush).
    virtual void set_head(int status, const char* status_line, const ResponseHeader* headers, int count) = 0;
    // Body bytes, kept by reference: `data` must stay valid until the next
    // flush() or end() returns (no I/O).
    virtual void append(const char* data, apr_size_t len) = 0;
    // A range of a regular file (the transport keeps its own descriptor);
    // false when this transport cannot send files (the caller reads it instead).
    virtual bool append_file(int fd, apr_off_t offset, apr_off_t len) = 0;
    // May block: send what was appended. false: the client is gone.
    virtual bool flush() = 0;
    // May block: send the rest and end the response; complete = false ends
    // it as broken (the client must not take it for a whole response).
    virtual void end(bool complete) = 0;
    // The client went away (a flush or end failed).
    virtual bool client_gone() = 0;
};

}  // namespace wsgi
