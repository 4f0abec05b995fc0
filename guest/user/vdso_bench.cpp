// vdso_bench [N]: what one call costs, measured with RDTSC around N calls of each:
//
//   function call        a plain call of an empty non-inlined function: the floor
//   vDSO clock_gettime   __vdso_clock_gettime(CLOCK_MONOTONIC): ring 3 only, RDTSC + the vvar page
//   syscall clock_gettime  the system call: ring 3 -> kernel -> ring 3
//   vsyscall time()      a call to 0xffffffffff600400: #PF, emulated by the kernel (not with
//                        vsyscall=none: pass "novsyscall" as the second argument)
//
// Cycles are TSC cycles; ns use the TSC frequency from the vvar page (tsc_khz).
#include "syscall.hpp"
#include "ulib.hpp"
#include "vdso.hpp"
#include "vdso_datapage.hpp"

namespace {

struct Timespec {
    long tv_sec, tv_nsec;
};
using clock_gettime_t = int (*)(int, Timespec*);
using time_fn = long (*)(long*);

inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return uint64_t(hi) << 32 | lo;
}

__attribute__((noinline)) int empty_function(int, Timespec*) {
    asm volatile("" : : : "memory");
    return 0;
}

uint64_t tsc_khz;

void row(const char* name, long n, uint64_t cycles) {
    const uint64_t per = cycles / uint64_t(n);
    const uint64_t ns10 = tsc_khz ? cycles * 10000000 / tsc_khz / uint64_t(n) : 0;  // tenths of ns
    user::Line l;
    l << name;
    for (unsigned long i = user::strlen(name); i < 24; i++) l << " ";
    l << long(n) << " calls  " << long(per) << " cycles/call  " << long(ns10 / 10) << "." << long(ns10 % 10)
      << " ns/call\n";
    user::write(1, l.buf, l.n);
}

}  // namespace

int main(int argc, char** argv) {
    const long n = argc > 1 ? user::atol(argv[1]) : 1000;
    const bool vsyscall = !(argc > 2 && user::vdso::streq(argv[2], "novsyscall"));
    user::vdso::Vdso v;
    const uint64_t base = user::vdso::getauxval(argv, user::vdso::AT_SYSINFO_EHDR);
    auto cgt = v.init(base) ? reinterpret_cast<clock_gettime_t>(v.lookup("LINUX_2.6", "__vdso_clock_gettime")) : nullptr;
    if (!cgt) {
        user::puts("no vDSO\n");
        return 1;
    }
    tsc_khz = reinterpret_cast<const lstar::vdso::vdso_data*>(base - lstar::vdso::kVvarSize)->tsc_khz;
    user::print_num("TSC ", long(tsc_khz), " kHz (from the vvar page)\n");

    Timespec ts;
    clock_gettime_t volatile floor_fn = &empty_function;  // through a pointer, as the vDSO is called
    const long fast_n = n * 100;
    uint64_t t0 = rdtsc();
    for (long i = 0; i < fast_n; i++) floor_fn(1, &ts);
    row("function call", fast_n, rdtsc() - t0);

    t0 = rdtsc();
    for (long i = 0; i < fast_n; i++) cgt(1, &ts);
    row("vDSO clock_gettime", fast_n, rdtsc() - t0);

    t0 = rdtsc();
    for (long i = 0; i < n; i++) user::syscall6(lstar::nr::kClockGettime, 1, long(&ts));
    row("syscall clock_gettime", n, rdtsc() - t0);

    if (vsyscall) {
        const auto vtime = reinterpret_cast<time_fn>(lstar::vdso::kVsyscallTime);
        t0 = rdtsc();
        for (long i = 0; i < n; i++) vtime(nullptr);
        row("vsyscall time()", n, rdtsc() - t0);
    }
    return 0;
}
