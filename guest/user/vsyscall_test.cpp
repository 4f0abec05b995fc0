// vsyscall_test WHAT: use the legacy vsyscall page at 0xffffffffff600000 the way pre-vDSO static
// binaries did, under whichever vsyscall= mode the kernel was booted with (lstar run --vsyscall).
//
//   call        gettimeofday (+0x0), time (+0x400) and getcpu (+0x800), each compared with the
//               system call; exits 0 if all agree
//   read        read the first bytes of the page (the legacy `mov $96,%rax; syscall; ret`)
//   misaligned  call +0x10, the middle of nothing: Linux refuses it (SIGSEGV)
//   badstack    jump to time() with RSP at an unmapped page: no return address to read (SIGSEGV)
//   badptr      time((long*)8): the result cannot be stored (SIGSEGV, as Linux's vsyscall fault)
#include "syscall.hpp"
#include "ulib.hpp"
#include "vdso.hpp"
#include "vdso_datapage.hpp"

namespace {

struct Timeval {
    long tv_sec, tv_usec;
};
using gettimeofday_t = long (*)(Timeval*, void*);
using time_fn = long (*)(long*);
using getcpu_t = long (*)(unsigned*, unsigned*, void*);

template <class F>
F at(uint64_t addr) {
    return reinterpret_cast<F>(addr);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace lstar::vdso;
    const char* what = argc > 1 ? argv[1] : "call";
    if (user::vdso::streq(what, "read")) {
        const auto* p = reinterpret_cast<const volatile unsigned char*>(kVsyscallAddr);
        user::Line l;
        l << "vsyscall page bytes:";
        for (int i = 0; i < 12; i++) {
            const unsigned b = p[i];
            char h[4] = {' ', "0123456789abcdef"[b >> 4], "0123456789abcdef"[b & 15], 0};
            l << h;
        }
        l << "\n";
        user::write(1, l.buf, l.n);
        return 0;
    }
    if (user::vdso::streq(what, "misaligned")) {
        user::puts("calling 0xffffffffff600010 (not an entry point)\n");
        at<time_fn>(kVsyscallAddr + 0x10)(nullptr);
        user::puts("FAIL the misaligned call returned\n");
        return 1;
    }
    if (user::vdso::streq(what, "badstack")) {
        user::puts("jumping to 0xffffffffff600400 with RSP = 0x1000\n");
        asm volatile("mov $0x1000, %%rsp; jmp *%0" : : "r"(kVsyscallTime) : "memory");
        __builtin_unreachable();
    }
    if (user::vdso::streq(what, "badptr")) {
        user::puts("calling time((long*)8) at 0xffffffffff600400\n");
        at<time_fn>(kVsyscallTime)(reinterpret_cast<long*>(8));
        user::puts("FAIL the call returned\n");
        return 1;
    }
    int failures = 0;
    Timeval tv{}, stv{};
    const long r = at<gettimeofday_t>(kVsyscallGettimeofday)(&tv, nullptr);
    user::syscall6(lstar::nr::kGettimeofday, long(&stv), 0);
    const long dus = (stv.tv_sec - tv.tv_sec) * 1000000 + (stv.tv_usec - tv.tv_usec);
    const bool gtod_ok = r == 0 && dus >= 0 && dus < 1000000;
    failures += !gtod_ok;
    user::print_num(gtod_ok ? "ok   gettimeofday via 0xffffffffff600000: " : "FAIL gettimeofday: ", tv.tv_sec, " s\n");

    long tloc = 0;
    const long t = at<time_fn>(kVsyscallTime)(&tloc);
    const long st = user::syscall6(lstar::nr::kTime, 0);
    const bool time_ok = t == tloc && st >= t && st - t <= 1;
    failures += !time_ok;
    user::print_num(time_ok ? "ok   time via 0xffffffffff600400: " : "FAIL time: ", t, "\n");

    unsigned cpu = 99, node = 99;
    const long rc = at<getcpu_t>(kVsyscallGetcpu)(&cpu, &node, nullptr);
    const bool cpu_ok = rc == 0 && cpu == 0 && node == 0;
    failures += !cpu_ok;
    user::print_num(cpu_ok ? "ok   getcpu via 0xffffffffff600800: cpu " : "FAIL getcpu: cpu ", long(cpu), "\n");
    return failures ? 1 : 0;
}
