// Timekeeping (compare Linux's kernel/time/timekeeping.c, update_vsyscall in kernel/time/vsyscall.c,
// and the syscalls in kernel/time/posix-timers.c and time.c): clock_gettime, gettimeofday, time,
// getcpu.
//
// The clocksource is the TSC. mult/shift turn cycles into ns (ns = cycles * mult >> shift); the
// monitor measured the frequency (KVM_GET_TSC_KHZ) and took CLOCK_REALTIME when the guest TSC read
// boot_tsc. This kernel has no timer tick, so the vvar page is brought up to date when a process
// asks the kernel for the time (each clock syscall here is the "tick"): cycle_last and the bases
// move forward under the seqcount, the sub-ns remainder is kept so that nothing drifts.
#include "kernel.hpp"
#include "mm.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"
#include "time.hpp"

namespace lstar::kernel {

namespace {

using namespace vdso;  // the CLOCK_* ids
constexpr uint64_t kNsecPerSec = 1000000000;

uint64_t frac;  // the cycles * mult bits below one ns that the last update did not publish

struct KernelTimespec {
    int64_t tv_sec, tv_nsec;
};
struct KernelTimeval {
    int64_t tv_sec, tv_usec;
};

// Linux's update_vsyscall() after timekeeping_advance(): publish "now" as the new base.
void update_vsyscall(uint64_t now) {
    vdso::vdso_data& vd = vvar_data();
    if (vd.clock_mode != vdso::kClockModeTsc) return;
    const unsigned __int128 scaled = (unsigned __int128)(now - vd.cycle_last) * vd.mult + frac;
    const uint64_t ns = uint64_t(scaled >> vd.shift);
    frac = uint64_t(scaled) & ((1ull << vd.shift) - 1);
    volatile vdso::vdso_data& v = vd;
    v.seq = v.seq + 1;  // odd: readers retry
    asm volatile("" : : : "memory");  // smp_wmb(): x86 keeps stores in order; stop the compiler
    v.cycle_last = now;
    v.mono_ns = v.mono_ns + ns;
    v.wall_ns = v.wall_ns + ns;
    v.updates = v.updates + 1;
    asm volatile("" : : : "memory");
    v.seq = v.seq + 1;
}

long put_timespec(uint64_t ns, unsigned long uaddr) {
    if (!user_range_accessible(uaddr, sizeof(KernelTimespec), true)) return -err::kEFAULT;
    auto* ts = reinterpret_cast<KernelTimespec*>(uaddr);
    ts->tv_sec = int64_t(ns / kNsecPerSec);
    ts->tv_nsec = int64_t(ns % kNsecPerSec);
    return 0;
}

}  // namespace

void timekeeping_init(const boot::BootInfo& bi) {
    vdso::vdso_data& vd = vvar_data();
    vd.wall_ns = bi.boot_wallclock_ns;
    vd.mono_ns = 0;  // CLOCK_MONOTONIC counts from the TSC value the monitor sampled
    vd.cycle_last = bi.boot_tsc;
    vd.tsc_khz = bi.tsc_khz;
    if (bi.tsc_khz) {
        // The largest shift (<= 32) that keeps mult in 32 bits: ns = cycles * mult >> shift.
        uint32_t shift = 32;
        while (shift && (1000000ull << shift) / bi.tsc_khz > 0xffffffffull) shift--;
        vd.shift = shift;
        vd.mult = uint32_t((1000000ull << shift) / bi.tsc_khz);
        vd.clock_mode = vdso::kClockModeTsc;
    }
}

bool ktime_get(uint64_t& mono_ns, uint64_t& wall_ns) {
    const vdso::vdso_data& vd = vvar_data();
    if (vd.clock_mode == vdso::kClockModeTsc) update_vsyscall(rdtsc());
    mono_ns = vd.mono_ns;
    wall_ns = vd.wall_ns;
    return vd.clock_mode == vdso::kClockModeTsc;
}

}  // namespace lstar::kernel

using namespace lstar;
using namespace lstar::kernel;
using namespace lstar::vdso;

extern "C" long sys_clock_gettime(unsigned long which, unsigned long tp, unsigned long, unsigned long,
                                  unsigned long, unsigned long) {
    uint64_t mono, wall;
    ktime_get(mono, wall);
    switch (int(which)) {  // clockid_t is an int: the upper half of the register is ignored
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_TAI:  // TAI offset 0, as Linux until NTP sets it
        return put_timespec(wall, tp);
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_COARSE: case CLOCK_MONOTONIC_RAW: case CLOCK_BOOTTIME:
        return put_timespec(mono, tp);
    case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
        // One task that has had the CPU since boot (this kernel never idles or switches).
        return put_timespec(mono, tp);
    default:
        return -err::kEINVAL;  // alarm clocks, per-process/thread CPU clocks, unknown ids
    }
}

// clock_getres(2): 1 ns for every clock this kernel has (hrtimer resolution; the COARSE clocks too,
// since here they are read from the TSC like the others, not at a tick); -EINVAL for the rest.
extern "C" long sys_clock_getres(unsigned long which, unsigned long tp, unsigned long, unsigned long,
                                 unsigned long, unsigned long) {
    switch (int(which)) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_TAI: case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_COARSE: case CLOCK_MONOTONIC_RAW: case CLOCK_BOOTTIME: case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
        return tp ? put_timespec(1, tp) : 0;
    default:
        return -err::kEINVAL;
    }
}

extern "C" long sys_gettimeofday(unsigned long tv, unsigned long tz, unsigned long, unsigned long, unsigned long,
                                 unsigned long) {
    uint64_t mono, wall;
    ktime_get(mono, wall);
    if (tv) {
        if (!user_range_accessible(tv, sizeof(KernelTimeval), true)) return -err::kEFAULT;
        auto* t = reinterpret_cast<KernelTimeval*>(tv);
        t->tv_sec = int64_t(wall / kNsecPerSec);
        t->tv_usec = int64_t(wall % kNsecPerSec / 1000);
    }
    if (tz) {  // struct timezone: sys_tz, which nobody set (UTC)
        if (!user_range_accessible(tz, 8, true)) return -err::kEFAULT;
        reinterpret_cast<int32_t*>(tz)[0] = reinterpret_cast<int32_t*>(tz)[1] = 0;
    }
    return 0;
}

extern "C" long sys_time(unsigned long tloc, unsigned long, unsigned long, unsigned long, unsigned long,
                         unsigned long) {
    uint64_t mono, wall;
    ktime_get(mono, wall);
    const int64_t sec = int64_t(wall / kNsecPerSec);
    if (tloc) {
        if (!user_range_accessible(tloc, 8, true)) return -err::kEFAULT;
        *reinterpret_cast<int64_t*>(tloc) = sec;
    }
    return sec;
}

// getcpu(2): CPU 0 of node 0, the one CPU there is (the vDSO reads the same from GDT_ENTRY_CPUNODE).
extern "C" long sys_getcpu(unsigned long cpup, unsigned long nodep, unsigned long, unsigned long, unsigned long,
                           unsigned long) {
    if (cpup && !user_range_accessible(cpup, 4, true)) return -err::kEFAULT;
    if (nodep && !user_range_accessible(nodep, 4, true)) return -err::kEFAULT;
    if (cpup) *reinterpret_cast<uint32_t*>(cpup) = 0;
    if (nodep) *reinterpret_cast<uint32_t*>(nodep) = 0;
    return 0;
}
