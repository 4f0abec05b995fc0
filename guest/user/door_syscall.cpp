// door_syscall: the first door. getpid(2) and write(2) through `syscall`: IA32_LSTAR, no IDT, no
// stack switch by the CPU, return address in RCX and flags in R11, back with sysretq.
#include "ulib.hpp"

int main() {
    user::print_num("syscall: getpid() = ", user::getpid(), "\n");
    return 0;
}
