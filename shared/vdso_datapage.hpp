// What the kernel shares with its vDSO and what user code sees of it (compare Linux's
// include/vdso/datapage.h and arch/x86/include/asm/vsyscall.h): the layout of the "vvar" page and
// the fixed addresses of the legacy vsyscall page. Included by the kernel, the vDSO, user
// programs and the monitor's tests; plain C++ with no dependencies.
#pragma once
#include <cstdint>

namespace lstar::vdso {

// Clock ids (include/uapi/linux/time.h), for the kernel's clock_gettime and the vDSO's.
enum ClockId : int {
    CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
    CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7,
    CLOCK_TAI = 11,
};

// The vvar data page: one page, mapped read-only (and NX) into every process right below the vDSO
// image, written by the kernel through its direct map. The vDSO finds it PC-relatively
// (guest/vdso/vdso.lds: vvar_page = the image's start - 4096).
//
// Time is computed from the TSC and these fields, under the seqcount `seq` (odd while the kernel
// is updating them; a reader retries if seq was odd or changed):
//   ns(clock) = base_ns[clock] + ((rdtsc() - cycle_last) * mult) >> shift
// with a 128-bit product: this kernel has no timer tick to advance cycle_last periodically (Linux's
// update_vsyscall runs every tick and keeps the product within 64 bits), so the delta may be hours.
inline constexpr uint32_t kClockModeNone = 0;  // no TSC frequency known: the vDSO falls back to the syscall
inline constexpr uint32_t kClockModeTsc = 1;

struct vdso_data {
    uint32_t seq;          // Linux's vdso_data.seq
    uint32_t clock_mode;   // kClockMode*
    uint64_t cycle_last;   // the TSC value the bases below belong to
    uint64_t mono_ns;      // CLOCK_MONOTONIC (and BOOTTIME: no suspend here) at cycle_last
    uint64_t wall_ns;      // CLOCK_REALTIME at cycle_last, ns since the epoch
    uint32_t mult;         // ns per TSC cycle, as mult / 2^shift
    uint32_t shift;
    uint64_t tsc_khz;      // for information (and the tests)
    uint64_t updates;      // how many times the kernel has updated this page (update_vsyscall)
};

inline constexpr uint64_t kVvarSize = 4096;

// Fixed by the ABI since Linux 2.6 (arch/x86/include/uapi/asm/vsyscall.h): one page in PML4 slot
// 511, with three entry points 1 KiB apart.
inline constexpr uint64_t kVsyscallAddr = 0xffffffffff600000ull;  // VSYSCALL_ADDR
inline constexpr uint64_t kVsyscallGettimeofday = kVsyscallAddr + 0x000;
inline constexpr uint64_t kVsyscallTime = kVsyscallAddr + 0x400;
inline constexpr uint64_t kVsyscallGetcpu = kVsyscallAddr + 0x800;

// The vsyscall= modes (VsyscallMode) are in option_names.hpp, with their names.

// Where exec puts the vDSO: [vvar page][vDSO image], at kVdsoBase + a random number of pages below
// kVdsoRandomPages (26 bits of entropy, compare Linux's 28 bits for mmap on x86-64), far below the
// stack at boot::kUserStackTop.
inline constexpr uint64_t kVdsoBase = 0x7f0000000000ull;
inline constexpr uint64_t kVdsoRandomPages = 1ull << 26;

}  // namespace lstar::vdso
