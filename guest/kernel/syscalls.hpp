// System call handlers (compare Linux's include/linux/syscalls.h) and what the three doors share.
// Every handler has the same six-argument signature, so that any table calls any of them the same
// way; unused arguments are unnamed. extern "C" keeps their symbols plain (sys_write, ...) for traces.
#pragma once
#include "event_abi.hpp"
#include "pt_regs.h"

#define SYSCALL_ARGS unsigned long, unsigned long, unsigned long, unsigned long, unsigned long, unsigned long

extern "C" {
using sys_call_ptr_t = long (*)(SYSCALL_ARGS);

long sys_ni_syscall(SYSCALL_ARGS);  // -ENOSYS: every slot without a handler
long sys_write(unsigned long fd, unsigned long buf, unsigned long count, unsigned long, unsigned long, unsigned long);
long sys_getpid(SYSCALL_ARGS);
long sys_exit(unsigned long status, unsigned long, unsigned long, unsigned long, unsigned long, unsigned long);
long sys_exit_group(unsigned long status, unsigned long, unsigned long, unsigned long, unsigned long, unsigned long);
// time.cpp
long sys_clock_gettime(unsigned long which, unsigned long tp, unsigned long, unsigned long, unsigned long, unsigned long);
long sys_clock_getres(unsigned long which, unsigned long tp, unsigned long, unsigned long, unsigned long, unsigned long);
long sys_gettimeofday(unsigned long tv, unsigned long tz, unsigned long, unsigned long, unsigned long, unsigned long);
long sys_time(unsigned long tloc, unsigned long, unsigned long, unsigned long, unsigned long, unsigned long);
long sys_getcpu(unsigned long cpup, unsigned long nodep, unsigned long, unsigned long, unsigned long, unsigned long);
// The process calls (fs.cpp, mmap.cpp, exec.cpp, sys.cpp, read_write.cpp): Linux's names and numbers.
#define LSTAR_SYSCALL(name) long sys_##name(unsigned long, unsigned long, unsigned long, unsigned long, unsigned long, unsigned long);
LSTAR_SYSCALL(read) LSTAR_SYSCALL(open) LSTAR_SYSCALL(close) LSTAR_SYSCALL(stat) LSTAR_SYSCALL(fstat)
LSTAR_SYSCALL(lstat) LSTAR_SYSCALL(lseek) LSTAR_SYSCALL(mmap) LSTAR_SYSCALL(mprotect) LSTAR_SYSCALL(munmap)
LSTAR_SYSCALL(brk) LSTAR_SYSCALL(ioctl) LSTAR_SYSCALL(pread64) LSTAR_SYSCALL(readv) LSTAR_SYSCALL(writev)
LSTAR_SYSCALL(execve) LSTAR_SYSCALL(uname) LSTAR_SYSCALL(readlink) LSTAR_SYSCALL(getrlimit) LSTAR_SYSCALL(getuid)
LSTAR_SYSCALL(getgid) LSTAR_SYSCALL(geteuid) LSTAR_SYSCALL(getegid) LSTAR_SYSCALL(getppid) LSTAR_SYSCALL(arch_prctl)
LSTAR_SYSCALL(setrlimit) LSTAR_SYSCALL(gettid) LSTAR_SYSCALL(sched_getaffinity) LSTAR_SYSCALL(getdents64)
LSTAR_SYSCALL(set_tid_address) LSTAR_SYSCALL(openat) LSTAR_SYSCALL(newfstatat) LSTAR_SYSCALL(readlinkat)
LSTAR_SYSCALL(set_robust_list) LSTAR_SYSCALL(prlimit64) LSTAR_SYSCALL(getrandom)
LSTAR_SYSCALL(rt_sigaction) LSTAR_SYSCALL(rt_sigprocmask) LSTAR_SYSCALL(dup) LSTAR_SYSCALL(dup2)
LSTAR_SYSCALL(dup3) LSTAR_SYSCALL(fcntl) LSTAR_SYSCALL(getcwd) LSTAR_SYSCALL(chdir) LSTAR_SYSCALL(fchdir) LSTAR_SYSCALL(poll)
#undef LSTAR_SYSCALL

// syscall_32.cpp: the i386 doors (Linux's arch/x86/entry/common.c names).
void do_int80_syscall_32(lstar::pt_regs* regs, lstar::abi::EntryVia via);
void do_fast_syscall_32(lstar::pt_regs* regs);
}

namespace lstar::kernel {

// A system call table (Linux's sys_call_table, ia32_sys_call_table): N slots, sys_ni_syscall in
// every slot without a handler, bounds-checked lookup. Built by a constexpr function, so that a
// constinit table is plain data in .rodata (this kernel runs no constructors).
struct SysCallSlot {
    long nr;
    sys_call_ptr_t handler;
};
template <unsigned long N>
struct SysCallTable {
    sys_call_ptr_t slot[N];
    constexpr sys_call_ptr_t operator[](unsigned long nr) const { return nr < N ? slot[nr] : &sys_ni_syscall; }
};
template <unsigned long N, unsigned long M>
constexpr SysCallTable<N> build_sys_call_table(const SysCallSlot (&implemented)[M]) {
    SysCallTable<N> t{};
    for (auto& s : t.slot) s = &sys_ni_syscall;
    for (const auto& i : implemented) t.slot[i.nr] = i.handler;
    return t;
}

// How one system call came in, for its SyscallEnter/SyscallExit events.
struct SyscallDoor {
    abi::Door door;
    abi::EntryVia via;
    unsigned abi_bits;  // 64 or 32
    uint64_t entry;     // where the CPU (or the shim) entered: LSTAR, the gate's handler, SYSENTER_EIP
};

// The running syscall's saved user registers (Linux's current_pt_regs()): execve rewrites them.
extern pt_regs* current_pt_regs;

// Count the call, report it, run it, report the return (syscall_64.cpp). The handler's result
// goes to regs->ax, which every exit path loads into RAX.
void invoke_syscall(unsigned long nr, const unsigned long (&args)[6], pt_regs* regs, sys_call_ptr_t handler,
                    const SyscallDoor& door);

}  // namespace lstar::kernel
