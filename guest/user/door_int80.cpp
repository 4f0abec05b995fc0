// door_int80: the second door. getpid, write and exit through `int $0x80`: IDT vector 0x80 (a
// DPL-3 gate), the CPU switches to TSS.RSP0 and pushes SS, RSP, RFLAGS, CS, RIP; the i386 ABI and
// numbers; back with iretq. Every call here goes through int $0x80, the exit too.
#include "ulib.hpp"

namespace {
user::Line line;  // in .bss, below 4 GiB: int $0x80 passes the buffer in 32-bit ECX
}

int main() {
    using namespace lstar;
    line << "int $0x80: getpid() = " << user::int80(nr32::kGetpid) << "\n";
    user::int80(nr32::kWrite, 1, reinterpret_cast<long>(line.buf), long(line.n));
    user::int80(nr32::kExit, 0);
    for (;;) asm volatile("");
}
