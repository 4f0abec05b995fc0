// getpid(2) (compare Linux's kernel/sys.c): the one task is pid 1, as init is.
#include "kernel.hpp"
#include "syscalls.hpp"

extern "C" long sys_getpid(SYSCALL_ARGS) { return lstar::kernel::current.pid; }
