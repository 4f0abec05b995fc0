// For the syscall decoder tests: guest memory as a map from address to bytes (anything else is
// unmapped), and tables of values and their texts.
#pragma once
#include <cstring>
#include <initializer_list>
#include <map>
#include <string>

#include <doctest/doctest.h>

#include "trace/syscall_format.hpp"

namespace lstar::test {

inline trace::MemReader reader(const std::map<uint64_t, std::string>& memory) {
    return [memory](uint64_t va, size_t n) -> std::optional<std::vector<uint8_t>> {
        auto it = memory.find(va);
        if (it == memory.end()) return std::nullopt;
        std::vector<uint8_t> b(it->second.begin(), it->second.end());
        b.resize(std::min(n, b.size()));
        return b;
    };
}

// Little-endian 64-bit words (32-bit ints) laid out as a structure in guest memory.
inline std::string words(std::initializer_list<uint64_t> w) {
    std::string s(w.size() * 8, '\0');
    size_t i = 0;
    for (uint64_t v : w) std::memcpy(&s[8 * i++], &v, 8);
    return s;
}

inline std::string ints(std::initializer_list<uint32_t> w) {
    std::string s(w.size() * 4, '\0');
    size_t i = 0;
    for (uint32_t v : w) std::memcpy(&s[4 * i++], &v, 4);
    return s;
}

struct Case {
    uint64_t value;
    const char* text;
};

// A decoder's text for each value, as strace prints it.
template <typename F>
void check_table(F decode, std::initializer_list<Case> cases) {
    for (const auto& c : cases) {
        CAPTURE(c.value);
        CHECK(decode(c.value) == c.text);
    }
}

}  // namespace lstar::test
