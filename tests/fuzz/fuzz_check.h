// fuzz_check.h - what the harnesses in tests/fuzz share.
//
// FUZZ_CHECK(cond, what): a property of the code under test. When it does
// not hold, the harness names it on stderr and aborts, so libFuzzer (or the
// replay driver, replay_main.cpp) records the input as a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#define FUZZ_CHECK(cond, what)                                                                       \
    do {                                                                                             \
        if (!(cond)) ::fuzz::property_failed(__FILE__, __LINE__, #cond, (what));                     \
    } while (0)

namespace fuzz {

[[noreturn]] inline void property_failed(const char* file, int line, const char* cond, std::string_view what)
{
    std::fprintf(stderr, "\nPROPERTY FAILED at %s:%d: %s\n  %.*s\n", file, line, cond,
                 static_cast<int>(what.size()), what.data());
    std::fflush(stderr);
    std::abort();
}

// A printable rendering of bytes for property messages (first 200 bytes).
inline std::string show(std::string_view s)
{
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size() && i < 200; ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\\' || c == '"') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
    }
    if (s.size() > 200) out += "...";
    return out + "\" (" + std::to_string(s.size()) + " bytes)";
}

}  // namespace fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
