// getcpu in the vDSO (compare Linux's arch/x86/entry/vdso/vgetcpu.c and asm/segment.h
// vdso_read_cpunode). The kernel puts (node << 12) | cpu in the *limit* of GDT entry 15
// (GDT_ENTRY_CPUNODE, a DPL-3 data segment); LSL reads a segment's limit from ring 3 without a
// system call. Linux prefers RDTSCP's TSC_AUX (or RDPID); this host's CPU has neither, and LSL
// works on every x86-64 CPU.
#include "x86/selectors.hpp"

extern "C" {

struct getcpu_cache;

long __vdso_getcpu(unsigned* cpu, unsigned* node, getcpu_cache*) {
    unsigned p;
    asm volatile("lsl %1, %0" : "=r"(p) : "r"(unsigned(lstar::x86::kCpunodeSel)));
    if (cpu) *cpu = p & 0xfff;   // VDSO_CPUNODE_MASK
    if (node) *node = p >> 12;   // VDSO_CPUNODE_BITS
    return 0;
}

long getcpu(unsigned*, unsigned*, getcpu_cache*) __attribute__((weak, alias("__vdso_getcpu")));

}  // extern "C"
