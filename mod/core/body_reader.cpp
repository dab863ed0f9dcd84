// body_reader.cpp - see body_reader.h.
#include "core/body_reader.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace wsgi {

char* StringSink::reserve(std::size_t used, std::size_t more)
{
    if (out_.size() < used + more) out_.resize(used + more);
    return out_.data();
}

BodyReader::BodyReader(BodySource& source, std::size_t block)
    : source_(&source), block_(std::max<std::size_t>(block, 1))
{
}

std::size_t BodyReader::step(std::size_t block, std::size_t used, unsigned long long left)
{
    unsigned long long room = std::max(block, used);
    return static_cast<std::size_t>(std::min(room, left));
}

bool BodyReader::fill()
{
    pos_ = end_ = 0;
    if (!source_) {
        eof_ = true;
        return true;
    }
    if (!buf_) buf_.reset(new char[block_]);
    long got = source_->read(buf_.get(), block_);
    if (got < 0) {
        error_ = source_->error();
        eof_ = true;
        return false;
    }
    if (got == 0) {
        eof_ = true;
        return true;
    }
    end_ = static_cast<std::size_t>(got);
    received_ += end_;
    return true;
}

bool BodyReader::fail(BodySink& sink, std::size_t used)
{
    std::size_t kept = end_ - pos_;
    if (used > 0) {
        std::size_t need = used + kept;
        std::unique_ptr<char[]> fresh(new char[std::max(need, block_)]);
        std::memcpy(fresh.get(), sink.reserve(used, 0), used);
        if (kept) std::memcpy(fresh.get() + used, buf_.get() + pos_, kept);
        buf_ = std::move(fresh);
        pos_ = 0;
        end_ = need;
    }
    return false;
}

bool BodyReader::read(long long size, BodySink& sink, std::size_t* n_out)
{
    *n_out = 0;
    unsigned long long left = size < 0 ? ULLONG_MAX : static_cast<unsigned long long>(size);
    std::size_t used = 0;
    while (left > 0) {
        if (pos_ < end_) {
            std::size_t k = static_cast<std::size_t>(std::min<unsigned long long>(end_ - pos_, left));
            char* out = sink.reserve(used, k);
            std::memcpy(out + used, buf_.get() + pos_, k);
            pos_ += k;
            used += k;
            left -= k;
            continue;
        }
        if (eof_ || !source_) break;
        if (left >= block_) {
            // Nothing buffered and a block or more wanted: straight into the
            // output, which grows with what arrives, never with `size`.
            std::size_t room = step(block_, used, left);
            char* out = sink.reserve(used, room);
            long got = source_->read(out + used, room);
            if (got < 0) {
                error_ = source_->error();
                eof_ = true;
                return fail(sink, used);
            }
            if (got == 0) {
                eof_ = true;
                break;
            }
            used += static_cast<std::size_t>(got);
            left -= static_cast<unsigned long long>(got);
            received_ += static_cast<unsigned long long>(got);
            continue;
        }
        if (!fill()) return fail(sink, used);
    }
    *n_out = used;
    return true;
}

bool BodyReader::readline(long long limit, BodySink& sink, std::size_t* n_out)
{
    *n_out = 0;
    unsigned long long left = limit < 0 ? ULLONG_MAX : static_cast<unsigned long long>(limit);
    std::size_t used = 0;
    while (left > 0) {
        if (pos_ < end_) {
            const char* start = buf_.get() + pos_;
            std::size_t span = static_cast<std::size_t>(std::min<unsigned long long>(end_ - pos_, left));
            const void* nl = std::memchr(start, '\n', span);
            std::size_t k = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - start) + 1 : span;
            char* out = sink.reserve(used, k);
            std::memcpy(out + used, start, k);
            pos_ += k;
            used += k;
            left -= k;
            if (nl) break;
            continue;
        }
        if (eof_ || !source_) break;
        if (!fill()) return fail(sink, used);
    }
    *n_out = used;
    return true;
}

void BodyReader::detach()
{
    source_ = nullptr;
    eof_ = true;
    pos_ = end_ = 0;
}

}  // namespace wsgi
