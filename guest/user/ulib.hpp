// The few helpers lstar's user programs share: string length, decimal conversion, printing.
#pragma once
#include "syscall.hpp"

namespace user {

inline unsigned long strlen(const char* s) {
    unsigned long n = 0;
    while (s[n]) n++;
    return n;
}

inline long puts(const char* s) { return write(1, s, strlen(s)); }

// Decimal text of v into buf (at least 21 bytes); returns buf.
inline char* ltoa(long v, char* buf) {
    char tmp[21];
    int n = 0;
    unsigned long u = v < 0 ? 0ul - static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
    do tmp[n++] = char('0' + u % 10); while (u /= 10);
    char* p = buf;
    if (v < 0) *p++ = '-';
    while (n) *p++ = tmp[--n];
    *p = 0;
    return buf;
}

inline long atol(const char* s) {
    long sign = 1, v = 0;
    if (*s == '-') sign = -1, s++;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return sign * v;
}

// Print prefix, the number, suffix with one write(2): what printf("%s%ld%s") would do.
inline long print_num(const char* prefix, long v, const char* suffix) {
    char line[128];
    unsigned long n = 0;
    char num[21];
    auto append = [&](const char* s) {
        while (*s && n < sizeof line) line[n++] = *s++;
    };
    append(prefix);
    append(ltoa(v, num));
    append(suffix);
    return write(1, line, n);
}

}  // namespace user
