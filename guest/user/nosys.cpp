// nosys: a system call number the kernel does not implement must come back as -ENOSYS (-38).
#include "ulib.hpp"

int main() {
    user::print_num("syscall(999) = ", user::syscall6(999), "\n");
    return 0;
}
