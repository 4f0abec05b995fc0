// What the kernel's C++ files share: the boot information, address conversions, the current
// task, and the C entry points the assembly calls.
#pragma once
#include <cstddef>
#include <cstdint>

#include "boot_protocol.hpp"
#include "pt_regs.h"

namespace lstar::kernel {

// Set once by start_kernel; read-only afterwards.
extern const boot::BootInfo* boot_info;
extern bool guest_events;  // BootInfo.flags & kFlagGuestEvents: report syscalls and exceptions

// Linux's __pa()/__va(): kernel-image addresses are __START_KERNEL_map + phys (phys_base is 0:
// the monitor loads the image where it is linked), everything else is in the direct map.
inline uint64_t virt_to_phys(const volatile void* p) {
    auto va = reinterpret_cast<uint64_t>(p);
    return va >= boot::kStartKernelMap ? va - boot::kStartKernelMap : va - boot::kPageOffset;
}
template <class T = void>
inline T* phys_to_virt(uint64_t pa) {
    return reinterpret_cast<T*>(boot::kPageOffset + pa);
}

// The one task this kernel runs (Linux's current->comm and pid).
inline constexpr unsigned kTaskCommLen = 16;
struct Task {
    char comm[kTaskCommLen];
    int pid;
};
extern Task current;

// Counters the Shutdown event reports.
struct Stats {
    uint64_t syscalls, via_hardware, via_pf_shim, exceptions;
};
extern Stats stats;

// The run ends: Shutdown event, then the exit port (exit.cpp).
[[noreturn]] void do_exit(long status);

}  // namespace lstar::kernel

// Symbols shared with assembly (and, for the first three, the monitor).
extern "C" {
extern lstar::percpu_area percpu_area;
extern unsigned char cpu_tss[];
extern const char entry_SYSCALL_64[];
extern volatile uint32_t syscall_entered_via_pf_shim;
[[noreturn]] void start_kernel(uint64_t bootinfo_phys, uint64_t magic);
void do_syscall_64(unsigned long nr, lstar::pt_regs* regs);
void do_exception(lstar::pt_regs* regs, unsigned long vector);
[[noreturn]] void enter_user_mode(uint64_t rip, uint64_t rsp);
void* memcpy(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
void* memmove(void* dst, const void* src, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
}
