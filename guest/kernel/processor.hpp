// The handful of privileged x86 instructions the kernel uses, as inline functions
// (compare Linux's asm/io.h, asm/special_insns.h, asm/msr.h). All of them are known to
// this host's ring-0 instruction emulator (see docs/host-workarounds.md).
#pragma once
#include <cstdint>

namespace lstar::kernel {

inline void outl(uint16_t port, uint32_t value) {
    // "memory": every store to a record the monitor will read must be done before the exit.
    asm volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

inline void outb(uint16_t port, uint8_t value) { asm volatile("outb %0, %1" : : "a"(value), "Nd"(port) : "memory"); }

inline uint8_t inb(uint16_t port) {
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

inline void write_cr3(uint64_t v) { asm volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }

inline uint64_t read_cr4() {
    uint64_t v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}

inline void write_cr4(uint64_t v) { asm volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

inline void cpuid(uint32_t leaf, uint32_t& a, uint32_t& b, uint32_t& c, uint32_t& d) {
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(0));
}

inline uint64_t read_cr2() {
    uint64_t v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

inline uint64_t read_cr3() {
    uint64_t v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

// The current privilege level, from the CS selector's RPL. On this host the interesting answer
// is that it is 0 even in a syscall that entered through the #PF shim.
inline unsigned current_cpl() {
    uint16_t cs;
    asm volatile("mov %%cs, %0" : "=r"(cs));
    return cs & 3;
}

inline uint64_t rdmsr(uint32_t msr) {
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return uint64_t(hi) << 32 | lo;
}

inline void wrmsr(uint32_t msr, uint64_t v) {
    asm volatile("wrmsr" : : "c"(msr), "a"(uint32_t(v)), "d"(uint32_t(v >> 32)) : "memory");
}

[[noreturn]] inline void halt_forever() {
    for (;;) asm volatile("cli; hlt" : : : "memory");
}

}  // namespace lstar::kernel
