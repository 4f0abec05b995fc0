// The few helpers lstar's user programs share: string length, decimal conversion, printing.
#pragma once
#include "string.hpp"
#include "syscall.hpp"

namespace user {

inline unsigned long strlen(const char* s) { return lstar::lib::string_length(s); }

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

// A line of text built in place, for one write(2): `Line l; l << "pid " << 1 << "\n";`
// (where it lives matters to int $0x80, whose 32-bit pointers need it below 4 GiB).
struct Line {
    char buf[256];
    unsigned long n = 0;
    Line& operator<<(const char* s) {
        while (*s && n < sizeof buf) buf[n++] = *s++;
        return *this;
    }
    Line& operator<<(long v) {
        char num[21];
        return *this << ltoa(v, num);
    }
};

// Print prefix, the number, suffix with one write(2): what printf("%s%ld%s") would do.
inline long print_num(const char* prefix, long v, const char* suffix) {
    Line l;
    l << prefix << v << suffix;
    return write(1, l.buf, l.n);
}

}  // namespace user
