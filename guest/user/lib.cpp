// memcpy/memset/memmove/memcmp for user programs: gcc may emit calls to them even freestanding.
#include <cstddef>

#include "string.hpp"

extern "C" {
void* memcpy(void* d, const void* s, size_t n) {
    void* ret = d;
    asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return ret;
}
void* memset(void* d, int c, size_t n) {
    void* ret = d;
    asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return ret;
}
void* memmove(void* d, const void* s, size_t n) {
    auto* dp = static_cast<unsigned char*>(d);
    auto* sp = static_cast<const unsigned char*>(s);
    if (dp < sp)
        for (size_t i = 0; i < n; i++) dp[i] = sp[i];
    else
        for (size_t i = n; i--;) dp[i] = sp[i];
    return d;
}
int memcmp(const void* a, const void* b, size_t n) {
    return lstar::lib::compare_bytes(a, b, n);
}
}
