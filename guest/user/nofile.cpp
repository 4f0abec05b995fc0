// nofile: RLIMIT_NOFILE at work. Prints the limit, opens /dev/console until open() fails (-EMFILE
// = -24 once the table reaches the soft limit), closes one and opens again, then shows that a
// soft limit above the hard one is refused (-EINVAL = -22).
#include "ulib.hpp"

using namespace user;

namespace {
struct Rlimit {
    unsigned long cur, max;
};
constexpr long kRlimitNofile = 7;
}  // namespace

int main() {
    Rlimit r;
    syscall6(lstar::nr::kPrlimit64, 0, kRlimitNofile, 0, reinterpret_cast<long>(&r));
    print_num("RLIMIT_NOFILE soft ", long(r.cur), "");
    print_num(" hard ", long(r.max), "\n");
    long fd, last = -1, opened = 0;
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
