// nofile: open/read/close and RLIMIT_NOFILE at work. Reads /etc/motd when an initrd has it, checks
// that kernel addresses passed as user pointers get -EFAULT (-14), prints the limit, opens
// /dev/console until open() fails (-EMFILE = -24 once the table reaches the soft limit), closes one
// and opens again, then shows that a soft limit above the hard one is refused (-EINVAL = -22).
#include "ulib.hpp"

using namespace user;

namespace {
struct Rlimit {
    unsigned long cur, max;
};
constexpr long kRlimitNofile = 7;
}  // namespace

int main() {
    using lstar::nr::kOpen;
    using lstar::nr::kRead;
    char buf[128];
    long fd = syscall6(kOpen, reinterpret_cast<long>("/etc/motd"), 0);
    if (fd >= 0) {
        long n = syscall6(kRead, fd, reinterpret_cast<long>(buf), sizeof buf);
        print_num("read(/etc/motd) = ", n, ": ");
        if (n > 0) write(1, buf, static_cast<unsigned long>(n));
        print_num("read at the end = ", syscall6(kRead, fd, reinterpret_cast<long>(buf), sizeof buf), "\n");
        print_num("read into a kernel address = ",
                  syscall6(lstar::nr::kPread64, fd, static_cast<long>(0xffffffff80200000), 16, 0), "\n");
        print_num("close = ", syscall6(lstar::nr::kClose, fd), "\n");
    } else {
        print_num("open(/etc/motd) = ", fd, "\n");
    }
    print_num("open(a kernel address) = ", syscall6(kOpen, static_cast<long>(0xffffffff80200000), 0), "\n");
    print_num("write(a kernel address) = ", syscall6(lstar::nr::kWrite, 1, static_cast<long>(0xffff888000001000), 8),
              "\n");
    const long bad_argv[] = {static_cast<long>(0xffffffff80200000), 0};
    print_num("execve(argv[0] in the kernel) = ",
              syscall6(lstar::nr::kExecve, reinterpret_cast<long>("nofile"), reinterpret_cast<long>(bad_argv), 0), "\n");
    Rlimit r;
    syscall6(lstar::nr::kPrlimit64, 0, kRlimitNofile, 0, reinterpret_cast<long>(&r));
    print_num("RLIMIT_NOFILE soft ", long(r.cur), "");
    print_num(" hard ", long(r.max), "\n");
    long last = -1, opened = 0;
    while ((fd = syscall6(lstar::nr::kOpen, reinterpret_cast<long>("/dev/console"), 2)) >= 0) last = fd, opened++;
    print_num("opened ", opened, "");
    print_num(" (last fd ", last, ")");
    print_num(", then open() = ", fd, "\n");
    print_num("close(3) = ", syscall6(lstar::nr::kClose, 3), "");
    print_num(", open() again = ", syscall6(lstar::nr::kOpen, reinterpret_cast<long>("/dev/console"), 2), "\n");
    Rlimit bad = {r.max + 1, r.max};
    print_num("setrlimit(soft > hard) = ", syscall6(lstar::nr::kSetrlimit, kRlimitNofile, reinterpret_cast<long>(&bad)),
              "\n");
    return opened;
}
