// bench_doors N: the doors timed from ring 3 with rdtsc. N round trips each of: a user-mode
// function call (the floor), getpid through `syscall`, getpid through `int $0x80`, a vDSO
// clock_gettime (found through AT_SYSINFO_EHDR), an emulated vsyscall time(); prints the
// TSC cycles per round trip of each, one "bench_doors: NAME CYCLES" line apiece, then exits 0.
// On hardware KVM these are the doors' real costs; on a host that emulates ring 0 (kvm_pvm) the
// kernel's share is the emulator's, and ring-0 instruction counts say more (docs/benchmarks.md).
#include "ulib.hpp"
#include "vdso.hpp"
#include "vdso_datapage.hpp"

namespace {

inline unsigned long rdtsc() {
    unsigned lo, hi;
    asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (unsigned long)hi << 32 | lo;
}

[[gnu::noinline]] long user_getpid_floor(long x) {  // what a call with no kernel in it costs
    asm volatile("" ::: "memory");
    return x;
}

void report(const char* name, unsigned long cycles, long n) {
    user::Line l;
    l << "bench_doors: " << name << " " << long(cycles / (unsigned long)n) << "\n";
    user::write(1, l.buf, l.n);
}

}  // namespace

int main(int argc, char** argv) {
    long n = argc > 1 ? user::atol(argv[1]) : 100;
    if (n < 1) n = 1;
    unsigned long t = rdtsc();
    for (long i = 0; i < n * 100; ++i) user_getpid_floor(i);
    report("call", rdtsc() - t, n * 100);
    t = rdtsc();
    for (long i = 0; i < n; ++i) user::getpid();
    report("syscall", rdtsc() - t, n);
    t = rdtsc();
    for (long i = 0; i < n; ++i) user::int80(lstar::nr32::kGetpid);
    report("int80", rdtsc() - t, n);

    struct Timespec {
        long sec, nsec;
    } ts;
    using clock_gettime_t = int (*)(int, Timespec*);
    user::vdso::Vdso v;
    const uint64_t base = user::vdso::getauxval(argv, user::vdso::AT_SYSINFO_EHDR);
    if (auto cgt = v.init(base) ? reinterpret_cast<clock_gettime_t>(v.lookup("LINUX_2.6", "__vdso_clock_gettime"))
                                : nullptr) {
        t = rdtsc();
        for (long i = 0; i < n * 100; ++i) cgt(1, &ts);
        report("vdso", rdtsc() - t, n * 100);
    }
    // vsyscall=emulate or xonly (the default): each call faults and the kernel emulates it.
    const auto vtime = reinterpret_cast<long (*)(long*)>(lstar::vdso::kVsyscallTime);
    t = rdtsc();
    for (long i = 0; i < n; ++i) vtime(nullptr);
    report("vsyscall", rdtsc() - t, n);
    return 0;
}
