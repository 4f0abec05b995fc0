// The one hex formatter of the monitor: "0x1f", and "0x0" for zero, in every log line, report
// and error message, so that a reader greps one form.
#pragma once
#include <charconv>
#include <cstdint>
#include <string>

namespace lstar {

inline std::string hex(uint64_t v) {
    char b[20] = {'0', 'x'};
    auto r = std::to_chars(b + 2, b + sizeof b, v, 16);  // no locale, no format parsing: once per field per exit
    return std::string(b, r.ptr);
}

}  // namespace lstar
