// Timekeeping, the vDSO and the vsyscall page (time.cpp, vdso.cpp, vsyscall_64.cpp).
#pragma once
#include <cstdint>

#include "boot_protocol.hpp"
#include "option_names.hpp"
#include "pt_regs.h"
#include "vdso_datapage.hpp"

namespace lstar::kernel {

// time.cpp (compare Linux's kernel/time/timekeeping.c): the TSC is the clocksource, its frequency
// and the wall clock at boot come from BootInfo (under a plain PVH loader: the CMOS RTC and a PIT
// calibration, pvh.cpp). Fills the vvar page.
void timekeeping_init(const boot::BootInfo& bi);
// CLOCK_MONOTONIC and CLOCK_REALTIME now, in ns; false if no TSC frequency is known (then both
// are the boot values: time does not advance).
bool ktime_get(uint64_t& mono_ns, uint64_t& wall_ns);

// rtc.cpp: without lstar's BootInfo clock, the CMOS RTC (1 s resolution) and a PIT-calibrated
// TSC frequency, into bi's wall-clock fields (compare Linux's read_persistent_clock64).
void read_persistent_clock(boot::BootInfo& bi);

inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return uint64_t(hi) << 32 | lo;
}

// vdso.cpp: the vvar page (read-only for user space) and the vDSO image.
vdso::vdso_data& vvar_data();
// Linux's arch_setup_additional_pages(): map [vvar][vDSO] at a random page-aligned address in the
// current address space. Returns 0 and the vDSO's ELF header address (AT_SYSINFO_EHDR), or -errno.
long arch_setup_additional_pages(uint64_t& sysinfo_ehdr);

// vsyscall_64.cpp (compare Linux's arch/x86/entry/vsyscall/vsyscall_64.c).
extern vdso::VsyscallMode vsyscall_mode;
// vsyscall= from the command line (emulate, xonly, none; nullptr: the default, xonly); in emulate
// mode map the page (readable, NX) into the current page tables. False: out of memory.
bool map_vsyscall(const char* mode);
// A user #PF at address: was it a vsyscall, and was it emulated? True: regs now return to the
// caller with the result in RAX. False: the fault stands (the task is killed), after a log line
// saying why, as Linux's warn_bad_vsyscall.
bool emulate_vsyscall(unsigned long error_code, pt_regs* regs, unsigned long address);

}  // namespace lstar::kernel
