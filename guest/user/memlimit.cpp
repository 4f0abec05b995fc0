// memlimit: RLIMIT_AS and RLIMIT_DATA on brk and mmap. Grows the heap with brk in 1 MiB steps until
// brk() stops moving, then maps anonymous 1 MiB blocks until mmap() returns -ENOMEM (-12), and
// prints how far each got. Pages are never touched: the limits are on address space, not RAM.
#include "ulib.hpp"

using namespace user;

int main() {
    constexpr long kStep = 1 << 20;
    const long start = syscall6(lstar::nr::kBrk, 0);
    long cur = start;
    while (true) {
        long next = syscall6(lstar::nr::kBrk, cur + kStep);
        if (next != cur + kStep) break;
        cur = next;
        if (cur - start >= 1024 * kStep) break;  // 1 GiB: no limit in sight
    }
    print_num("brk grew by ", (cur - start) / kStep, " MiB\n");
    long blocks = 0, r;
    while ((r = syscall6(lstar::nr::kMmap, 0, kStep, 3 /* PROT_READ|WRITE */, 0x22 /* PRIVATE|ANON */, -1, 0)) > 0) {
        if (++blocks >= 1024) break;
    }
    print_num("mmap gave ", blocks, " MiB");
    print_num(", then returned ", r > 0 ? 0 : r, "\n");
    // Touch one page of the heap: demand paging gives a zero page.
    volatile char* p = reinterpret_cast<char*>(start);
    print_num("first heap byte: ", p[0], "\n");
    return 0;
}
