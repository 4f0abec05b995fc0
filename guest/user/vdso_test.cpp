// vdso_test: find the vDSO from AT_SYSINFO_EHDR, look its functions up by name and version
// (LINUX_2.6), call each one and compare it with the system call it replaces. Prints one line per
// check ("ok" or "FAIL") and exits 0 only if every check passed.
//
//   vdso_test              the checks
//   vdso_test vdso N       N calls of __vdso_clock_gettime(CLOCK_MONOTONIC) and nothing else
//   vdso_test syscall N    N clock_gettime(CLOCK_MONOTONIC) system calls
#include "syscall.hpp"
#include "ulib.hpp"
#include "vdso.hpp"

namespace {

struct Timespec {
    long tv_sec, tv_nsec;
};
struct Timeval {
    long tv_sec, tv_usec;
};
using clock_gettime_t = int (*)(int, Timespec*);
using gettimeofday_t = int (*)(Timeval*, int*);
using time_t_fn = long (*)(long*);
using getcpu_t = long (*)(unsigned*, unsigned*, void*);

constexpr long kEINVAL = 22, kEFAULT = 14;
int failures;

long ns_of(const Timespec& t) { return t.tv_sec * 1000000000l + t.tv_nsec; }

long sys_clock_gettime(long clock, void* ts) { return user::syscall6(lstar::nr::kClockGettime, clock, long(ts)); }

void hex(user::Line& l, unsigned long v) {
    char buf[19] = "0x";
    int n = 0;
    char tmp[16];
    do tmp[n++] = "0123456789abcdef"[v & 15]; while (v >>= 4);
    int i = 2;
    while (n) buf[i++] = tmp[--n];
    buf[i] = 0;
    l << buf;
}

void check(bool ok, const char* what, long a = 0, long b = 0, const char* what2 = "") {
    user::Line l;
    l << (ok ? "ok   " : "FAIL ") << what << what2 << " (" << a << ", " << b << ")\n";
    user::write(1, l.buf, l.n);
    if (!ok) failures++;
}

}  // namespace

int main(int argc, char** argv) {
    user::vdso::Vdso v;
    const uint64_t base = user::vdso::getauxval(argv, user::vdso::AT_SYSINFO_EHDR);
    if (!v.init(base)) {
        user::puts("FAIL no usable vDSO at AT_SYSINFO_EHDR\n");
        return 1;
    }
    auto cgt = reinterpret_cast<clock_gettime_t>(v.lookup("LINUX_2.6", "__vdso_clock_gettime"));
    auto gtod = reinterpret_cast<gettimeofday_t>(v.lookup("LINUX_2.6", "__vdso_gettimeofday"));
    auto tm = reinterpret_cast<time_t_fn>(v.lookup("LINUX_2.6", "__vdso_time"));
    auto gcpu = reinterpret_cast<getcpu_t>(v.lookup("LINUX_2.6", "__vdso_getcpu"));
    if (!cgt || !gtod || !tm || !gcpu) {
        user::puts("FAIL a __vdso_ function is missing\n");
        return 1;
    }

    if (argc == 3) {  // the loops: nothing else in between
        const long n = user::atol(argv[2]);
        Timespec ts;
        if (user::vdso::streq(argv[1], "vdso"))
            for (long i = 0; i < n; i++) cgt(1, &ts);
        else
            for (long i = 0; i < n; i++) sys_clock_gettime(1, &ts);
        user::print_num("calls ", n, "\n");
        return 0;
    }

    {
        user::Line l;
        l << "vdso at ";
        hex(l, base);
        l << " (AT_SYSINFO_EHDR), vvar at ";
        hex(l, base - 4096);
        l << ", __vdso_clock_gettime at ";
        hex(l, reinterpret_cast<unsigned long>(cgt));
        l << "\n";
        user::write(1, l.buf, l.n);
    }

    // The symbol table: aliases, versions.
    check(v.lookup("LINUX_2.6", "clock_gettime") == reinterpret_cast<void*>(cgt), "clock_gettime is an alias of __vdso_clock_gettime");
    check(v.lookup("LINUX_2.6", "gettimeofday") == reinterpret_cast<void*>(gtod), "gettimeofday alias");
    check(v.lookup("LINUX_2.6", "time") == reinterpret_cast<void*>(tm), "time alias");
    check(v.lookup("LINUX_2.6", "getcpu") == reinterpret_cast<void*>(gcpu), "getcpu alias");
    check(!v.lookup("LINUX_2.5", "__vdso_clock_gettime"), "no __vdso_clock_gettime@LINUX_2.5");
    check(!v.lookup("LINUX_2.6", "__vdso_nosuch"), "no __vdso_nosuch");

    // Each clock: vDSO, then the syscall, then the vDSO again, must be in order.
    static const struct {
        int id;
        const char* name;
    } clocks[] = {{0, "CLOCK_REALTIME"},        {1, "CLOCK_MONOTONIC"},        {4, "CLOCK_MONOTONIC_RAW"},
                  {5, "CLOCK_REALTIME_COARSE"}, {6, "CLOCK_MONOTONIC_COARSE"}, {7, "CLOCK_BOOTTIME"},
                  {2, "CLOCK_PROCESS_CPUTIME_ID"}, {3, "CLOCK_THREAD_CPUTIME_ID"}};
    for (const auto& c : clocks) {
        Timespec a{}, s{}, b{};
        const int ra = cgt(c.id, &a);
        const long rs = sys_clock_gettime(c.id, &s);
        const int rb = cgt(c.id, &b);
        check(ra == 0 && rs == 0 && rb == 0 && ns_of(a) <= ns_of(s) && ns_of(s) <= ns_of(b) && ns_of(a) > 0, c.name,
              ns_of(s) - ns_of(a), ns_of(b) - ns_of(s), ": vdso <= syscall <= vdso (ns apart)");
    }
    Timespec ts{};
    check(cgt(99, &ts) == -kEINVAL && sys_clock_gettime(99, &ts) == -kEINVAL, "clock 99: -EINVAL from both",
          cgt(99, &ts), sys_clock_gettime(99, &ts));
    check(sys_clock_gettime(0, reinterpret_cast<void*>(8)) == -kEFAULT, "clock_gettime into page 0: -EFAULT");
    check(sys_clock_gettime(0, reinterpret_cast<void*>(0xffffffff80200000ul)) == -kEFAULT,
          "clock_gettime into the kernel image: -EFAULT");

    // clock_getres
    auto cgr = reinterpret_cast<clock_gettime_t>(v.lookup("LINUX_2.6", "__vdso_clock_getres"));
    Timespec res_v{7, 7}, res_s{7, 7};
    const bool got = cgr && cgr(1, &res_v) == 0 && user::syscall6(lstar::nr::kClockGetres, 1, long(&res_s)) == 0;
    check(got && res_v.tv_sec == res_s.tv_sec && res_v.tv_nsec == res_s.tv_nsec && res_s.tv_nsec == 1,
          "clock_getres(CLOCK_MONOTONIC): vdso == syscall == 1 ns", res_v.tv_nsec, res_s.tv_nsec);
    check(cgr && cgr(99, &res_v) == -kEINVAL && cgr(2, nullptr) == 0, "clock_getres: -EINVAL for 99, NULL res ok");

    // gettimeofday
    Timeval va{}, vs{}, vb{};
    int tz[2] = {7, 7};
    gtod(&va, tz);
    const long rs = user::syscall6(lstar::nr::kGettimeofday, long(&vs), 0);
    gtod(&vb, nullptr);
    const long ua = va.tv_sec * 1000000 + va.tv_usec, us = vs.tv_sec * 1000000 + vs.tv_usec,
               ub = vb.tv_sec * 1000000 + vb.tv_usec;
    check(rs == 0 && ua <= us && us <= ub, "gettimeofday: vdso <= syscall <= vdso (us)", us - ua, ub - us);
    check(tz[0] == 0 && tz[1] == 0, "gettimeofday timezone: UTC");
    check(user::syscall6(lstar::nr::kGettimeofday, 8, 0) == -kEFAULT, "gettimeofday into page 0: -EFAULT");

    // time
    long t_store = 0;
    const long tv = tm(&t_store), tsys = user::syscall6(lstar::nr::kTime, 0);
    check(tv == t_store && tsys >= tv && tsys - tv <= 1, "time: vdso == syscall (s)", tv, tsys);
    user::print_num("vdso time: ", tv, "\n");
    user::print_num("syscall time: ", tsys, "\n");

    // getcpu
    unsigned cpu = 99, node = 99, scpu = 99, snode = 99;
    const long rg = gcpu(&cpu, &node, nullptr);
    const long rgs = user::syscall6(lstar::nr::kGetcpu, long(&scpu), long(&snode), 0);
    check(rg == 0 && rgs == 0 && cpu == scpu && node == snode && cpu == 0 && node == 0,
          "getcpu: vdso (LSL on GDT_ENTRY_CPUNODE) == syscall", long(cpu), long(node));

    user::print_num("failures: ", failures, "\n");
    return failures ? 1 : 0;
}
