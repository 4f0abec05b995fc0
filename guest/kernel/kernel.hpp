// What the kernel's C++ files share: the boot information, address conversions, the current
// task, and the C entry points the assembly calls.
#pragma once
#include <cstddef>
#include <cstdint>

#include "boot_protocol.hpp"
#include "cpu_entry_area.h"
#include "event_abi.hpp"
#include "pt_regs.h"

namespace lstar::kernel {

// Set once by start_kernel; read-only afterwards.
extern const boot::BootInfo* boot_info;
extern bool pvh_boot;      // booted through PVH (pvh.cpp), not lstar's 64-bit protocol
extern bool guest_events;  // BootInfo.flags & kFlagGuestEvents: report syscalls and exceptions
// True when a monitor speaking lstar's port ABI is there (the 64-bit protocol, or PVH with
// lstar.bootinfo=): events, console and exit go through its ports. False under a plain PVH loader
// (QEMU): console on COM1, exit through isa-debug-exit, no events.
extern bool lstar_monitor;
extern abi::EntryMode entry_mode;  // lstar.entry=
inline bool pti_on() { return entry_mode != abi::EntryMode::Direct; }
// The running process's PGD (kernel half; in the pti modes the user half is at + 4 KiB).
extern uint64_t current_pgd_phys;

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

// Counters the Shutdown event reports (syscalls completed by the #UD shim count in syscalls only).
struct Stats {
    uint64_t syscalls, via_hardware, via_pf_shim, exceptions;
};
extern Stats stats;

// The entry variables at CEA_DATA (cpu_entry_area.S; offsets in cpu_entry_area.h), reached through
// their fixed address: -mcmodel=kernel code cannot name symbols outside the top 2 GiB.
struct CeaVars {
    uint64_t pti;             // CEA_VAR_PTI
    uint64_t user_cr3_bits;   // CEA_VAR_USER_CR3_BITS
    uint64_t kernel_noflush;  // CEA_VAR_KERNEL_NOFLUSH
    uint64_t lstar;           // CEA_VAR_LSTAR: what IA32_LSTAR holds (so nobody needs rdmsr)
    uint32_t via_pf_shim;     // CEA_VAR_PF_SHIM
};
static_assert(offsetof(CeaVars, user_cr3_bits) == CEA_VAR_USER_CR3_BITS);
static_assert(offsetof(CeaVars, kernel_noflush) == CEA_VAR_KERNEL_NOFLUSH);
static_assert(offsetof(CeaVars, lstar) == CEA_VAR_LSTAR);
static_assert(offsetof(CeaVars, via_pf_shim) == CEA_VAR_PF_SHIM);
inline volatile CeaVars& cea_vars() { return *reinterpret_cast<volatile CeaVars*>(CEA_DATA); }

// The CR3 user mode runs on, seen from the kernel (the kernel's own CR3 in direct mode).
inline uint64_t user_cr3(uint64_t kernel_cr3) {
    return pti_on() ? (kernel_cr3 | cea_vars().user_cr3_bits) & ~(1ull << 63) : kernel_cr3;
}

// The run ends: Shutdown event, then the exit port (exit.cpp).
[[noreturn]] void do_exit(long status);

}  // namespace lstar::kernel

// Symbols shared with assembly (and, for the first three, the monitor).
extern "C" {
extern lstar::percpu_area percpu_area;
extern unsigned char cpu_tss[];
extern unsigned char gdt_page[], idt_table[], cea_pgt_pud[], early_top_pgt[], task_stack_pud[];
// entry_64.S's table of the entry area's addresses.
struct EntryPoints {
    uint64_t syscall_64;             // entry_SYSCALL_64: LSTAR in direct mode
    uint64_t syscall_64_trampoline;  // entry_SYSCALL_64_trampoline: LSTAR in the pti modes
    uint64_t int80;                  // entry_INT80_compat
    uint64_t sysenter;               // entry_SYSENTER_compat
    void (*enter_user_mode)(uint64_t rip, uint64_t rsp);  // never returns
};
extern const EntryPoints entry_points;
extern const uint64_t exception_stubs[32];
[[noreturn]] void start_kernel(uint64_t bootinfo_phys, uint64_t magic);
uint64_t xen_prepare_pvh(uint32_t start_info_phys);
void do_syscall_64(unsigned long nr, lstar::pt_regs* regs);
void do_exception(lstar::pt_regs* regs, unsigned long vector);
void* memcpy(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
void* memmove(void* dst, const void* src, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
}
