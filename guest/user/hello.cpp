// hello: the first user program. One write(2) to stdout, then exit with argv[1] (default 0).
#include "ulib.hpp"

int main(int argc, char** argv) {
    user::puts("Hello from ring 3: write(2) reached entry_SYSCALL_64 and came back with sysretq\n");
    return argc > 1 ? int(user::atol(argv[1])) : 0;
}
