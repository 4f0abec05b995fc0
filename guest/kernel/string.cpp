// memcpy, memset, memmove, memcmp, strlen: gcc may emit calls to the first four even in a
// freestanding kernel. The copies are single `rep movsb`/`rep stosb` instructions: on this host
// every ring-0 instruction is emulated, and one string instruction beats a loop of many.
#include "kernel.hpp"
#include "string.hpp"

using namespace lstar;

extern "C" {

// KVM's emulator runs a rep string instruction one iteration at a time (measured: about 2.4 us
// per `rep movsb` byte in ring 0 here), so large copies move 8 bytes per iteration.
void* memcpy(void* dst, const void* src, size_t n) {
    void* ret = dst;
    size_t q = n >> 3, r = n & 7;
    asm volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(q) : : "memory");
    asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(r) : : "memory");
    return ret;
}

void* memset(void* dst, int c, size_t n) {
    void* ret = dst;
    size_t q = n >> 3, r = n & 7;
    const uint64_t pattern = 0x0101010101010101ull * static_cast<unsigned char>(c);
    asm volatile("rep stosq" : "+D"(dst), "+c"(q) : "a"(pattern) : "memory");
    asm volatile("rep stosb" : "+D"(dst), "+c"(r) : "a"(pattern) : "memory");
    return ret;
}

void* memmove(void* dst, const void* src, size_t n) {
    auto d = reinterpret_cast<uintptr_t>(dst), s = reinterpret_cast<uintptr_t>(src);
    if (d - s >= n) return memcpy(dst, src, n);  // no forward overlap: copy upwards
    // Overlap with dst above src: copy downwards (std sets DF; cld restores the ABI's DF = 0).
    const char* sp = static_cast<const char*>(src) + n - 1;
    char* dp = static_cast<char*>(dst) + n - 1;
    asm volatile("std; rep movsb; cld" : "+D"(dp), "+S"(sp), "+c"(n) : : "memory");
    return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
    return lib::compare_bytes(a, b, n);
}

size_t strlen(const char* s) { return lib::string_length(s); }

}  // extern "C"
