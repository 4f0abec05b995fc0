// System call handlers (compare Linux's include/linux/syscalls.h). Every handler has the same
// six-argument signature, so that do_syscall_64 calls any of them the same way; unused
// arguments are unnamed. extern "C" keeps their symbols plain (sys_write, ...) for traces.
#pragma once

#define SYSCALL_ARGS unsigned long, unsigned long, unsigned long, unsigned long, unsigned long, unsigned long

extern "C" {
using sys_call_ptr_t = long (*)(SYSCALL_ARGS);

long sys_ni_syscall(SYSCALL_ARGS);  // -ENOSYS: every slot without a handler
long sys_write(unsigned long fd, unsigned long buf, unsigned long count, unsigned long, unsigned long, unsigned long);
long sys_getpid(SYSCALL_ARGS);
long sys_exit(unsigned long status, unsigned long, unsigned long, unsigned long, unsigned long, unsigned long);
long sys_exit_group(unsigned long status, unsigned long, unsigned long, unsigned long, unsigned long, unsigned long);
}
