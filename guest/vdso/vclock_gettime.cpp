// The vDSO's clock functions (compare Linux's arch/x86/entry/vdso/vclock_gettime.c and
// lib/vdso/gettimeofday.c). They run in ring 3, in the caller's process, with no system call:
// time = the bases the kernel left in the vvar page + the TSC cycles since, scaled to ns.
//
// A clock the page cannot answer (the CPU-time clocks, an unknown id, or no TSC frequency known)
// goes to the real system call, as Linux's vDSO does.
#include "vdso_datapage.hpp"
#include "syscall_nr.hpp"

using lstar::vdso::vdso_data;

extern "C" {

// The vvar page, one page below this image (vdso.lds). Hidden: a PC-relative reference, no GOT.
extern const volatile vdso_data vvar_page __attribute__((visibility("hidden")));

struct kernel_timespec {
    long tv_sec;
    long tv_nsec;
};
struct kernel_timeval {
    long tv_sec;
    long tv_usec;
};
struct kernel_timezone {
    int tz_minuteswest;
    int tz_dsttime;
};

}  // extern "C"

namespace {

using namespace lstar::vdso;  // the CLOCK_* ids
constexpr long kNsecPerSec = 1000000000;

long syscall2(long nr, long a, long b) {
    long ret;
    asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return ret;
}

// rdtsc_ordered(): LFENCE keeps RDTSC from running ahead of the loads before it (AMD and Intel).
inline uint64_t rdtsc_ordered() {
    uint32_t lo, hi;
    asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return uint64_t(hi) << 32 | lo;
}

// ns of CLOCK_REALTIME (wall) or CLOCK_MONOTONIC (!wall) under the seqcount; false: no TSC clock.
bool do_hres(bool wall, uint64_t& ns) {
    const volatile vdso_data* vd = &vvar_page;
    uint32_t seq;
    do {
        while ((seq = vd->seq) & 1) asm volatile("pause");  // the kernel is updating the page
        asm volatile("" : : : "memory");                     // smp_rmb(): x86 keeps loads in order
        if (vd->clock_mode != lstar::vdso::kClockModeTsc) return false;
        const uint64_t cycles = rdtsc_ordered() - vd->cycle_last;
        const uint64_t base = wall ? vd->wall_ns : vd->mono_ns;
        ns = base + uint64_t((unsigned __int128)cycles * vd->mult >> vd->shift);
        asm volatile("" : : : "memory");
    } while (seq != vd->seq);
    return true;
}

}  // namespace

extern "C" {

int __vdso_clock_gettime(int clock, kernel_timespec* ts) {
    bool wall;
    switch (clock) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_TAI: wall = true; break;
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_COARSE: case CLOCK_MONOTONIC_RAW: case CLOCK_BOOTTIME:
        wall = false;
        break;
    default:  // CPU-time clocks, per-process clock ids, unknown ids: the kernel decides
        return int(syscall2(lstar::nr::kClockGettime, clock, long(ts)));
    }
    uint64_t ns;
    if (!do_hres(wall, ns)) return int(syscall2(lstar::nr::kClockGettime, clock, long(ts)));
    ts->tv_sec = long(ns / kNsecPerSec);
    ts->tv_nsec = long(ns % kNsecPerSec);
    return 0;
}

// The resolution: 1 ns for the clocks the page answers (as sys_clock_getres); the others, the kernel's.
int __vdso_clock_getres(int clock, kernel_timespec* res) {
    switch (clock) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_TAI: case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_COARSE: case CLOCK_MONOTONIC_RAW: case CLOCK_BOOTTIME:
        if (res) res->tv_sec = 0, res->tv_nsec = 1;
        return 0;
    default:
        return int(syscall2(lstar::nr::kClockGetres, clock, long(res)));
    }
}

int __vdso_gettimeofday(kernel_timeval* tv, kernel_timezone* tz) {
    uint64_t ns;
    if (!do_hres(true, ns)) return int(syscall2(lstar::nr::kGettimeofday, long(tv), long(tz)));
    if (tv) {
        tv->tv_sec = long(ns / kNsecPerSec);
        tv->tv_usec = long(ns % kNsecPerSec / 1000);
    }
    if (tz) tz->tz_minuteswest = tz->tz_dsttime = 0;  // the kernel's sys_tz: UTC
    return 0;
}

long __vdso_time(long* t) {
    uint64_t ns;
    if (!do_hres(true, ns)) return syscall2(lstar::nr::kTime, long(t), 0);
    const long sec = long(ns / kNsecPerSec);
    if (t) *t = sec;
    return sec;
}

// The plain names, weak, as Linux's vDSO exports them.
int clock_gettime(int, kernel_timespec*) __attribute__((weak, alias("__vdso_clock_gettime")));
int clock_getres(int, kernel_timespec*) __attribute__((weak, alias("__vdso_clock_getres")));
int gettimeofday(kernel_timeval*, kernel_timezone*) __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long*) __attribute__((weak, alias("__vdso_time")));

}  // extern "C"
