// The string and byte helpers of the guest, once, for the kernel and the user programs (both
// freestanding: no libc). The C names the compiler may call (memcmp, strlen) are defined on top of
// these in kernel/string.cpp and user/lib.cpp.
#pragma once
#include <cstddef>

namespace lstar::lib {

inline bool streq(const char* a, const char* b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

inline int compare_bytes(const void* a, const void* b, size_t n) {
    auto* x = static_cast<const unsigned char*>(a);
    auto* y = static_cast<const unsigned char*>(b);
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i]) return x[i] - y[i];
    return 0;
}

inline size_t string_length(const char* s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

}  // namespace lstar::lib
