// Linux x86-64 system calls from ring 3: number in RAX, arguments in RDI RSI RDX R10 R8 R9, result
// in RAX (a negative errno on failure). SYSCALL itself overwrites RCX (return RIP) and R11 (RFLAGS).
#pragma once
#include "syscall_nr.hpp"

namespace user {

inline long syscall6(long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0, long a6 = 0) {
    register long r10 asm("r10") = a4;
    register long r8 asm("r8") = a5;
    register long r9 asm("r9") = a6;
    long ret;
    asm volatile("syscall"
                 : "=a"(ret)
                 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                 : "rcx", "r11", "memory");
    return ret;
}

inline long write(int fd, const void* buf, unsigned long len) {
    return syscall6(lstar::nr::kWrite, fd, reinterpret_cast<long>(buf), long(len));
}
inline long getpid() { return syscall6(lstar::nr::kGetpid); }
[[noreturn]] inline void exit_group(int status) {
    syscall6(lstar::nr::kExitGroup, status);
    for (;;) asm volatile("");
}

// The i386 ABI through `int $0x80` (Linux's syscall_32.tbl numbers in EAX; EBX, ECX, EDX = the
// first arguments, 32 bits each; result in EAX). Works from 64-bit code; Linux clobbers R8-R11.
inline long int80(long nr, long a1 = 0, long a2 = 0, long a3 = 0) {
    long ret;
    asm volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a1), "c"(a2), "d"(a3) : "r8", "r9", "r10", "r11", "memory");
    return ret;
}

}  // namespace user
