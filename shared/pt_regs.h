/* struct pt_regs: the register frame entry_SYSCALL_64 and the exception entries build on the
 * kernel stack, in Linux's x86-64 layout (arch/x86/include/asm/ptrace.h). One layout for the
 * assembly (the PT_* offsets) and for C++ (the struct, pinned to the offsets by static_asserts). */
#pragma once

#define PT_R15 0
#define PT_R14 8
#define PT_R13 16
#define PT_R12 24
#define PT_RBP 32
#define PT_RBX 40
#define PT_R11 48
#define PT_R10 56
#define PT_R9 64
#define PT_R8 72
#define PT_RAX 80
#define PT_RCX 88
#define PT_RDX 96
#define PT_RSI 104
#define PT_RDI 112
#define PT_ORIG_RAX 120
#define PT_RIP 128
#define PT_CS 136
#define PT_EFLAGS 144
#define PT_RSP 152
#define PT_SS 160
#define PT_SIZE 168

/* The per-CPU area that GS points at in the kernel (KERNEL_GS_BASE while in user mode). */
#define PERCPU_USER_RSP 0       /* scratch slot for the user RSP during entry */
#define PERCPU_TOP_OF_STACK 8   /* kernel stack top for syscalls (cpu_current_top_of_stack) */
#define PERCPU_SELF 16          /* the area's own address */
#define PERCPU_SIZE 64

#ifndef __ASSEMBLER__
#include <cstddef>
#include <cstdint>

namespace lstar {

struct pt_regs {
    uint64_t r15, r14, r13, r12, bp, bx;
    uint64_t r11, r10, r9, r8, ax, cx, dx, si, di;
    uint64_t orig_ax;  /* the syscall number, or the exception's error code */
    uint64_t ip, cs, flags, sp, ss;  /* the hardware frame (SYSCALL entry fills it by hand) */
};

static_assert(offsetof(pt_regs, r15) == PT_R15);
static_assert(offsetof(pt_regs, bp) == PT_RBP);
static_assert(offsetof(pt_regs, r11) == PT_R11);
static_assert(offsetof(pt_regs, r8) == PT_R8);
static_assert(offsetof(pt_regs, ax) == PT_RAX);
static_assert(offsetof(pt_regs, cx) == PT_RCX);
static_assert(offsetof(pt_regs, di) == PT_RDI);
static_assert(offsetof(pt_regs, orig_ax) == PT_ORIG_RAX);
static_assert(offsetof(pt_regs, ip) == PT_RIP);
static_assert(offsetof(pt_regs, cs) == PT_CS);
static_assert(offsetof(pt_regs, flags) == PT_EFLAGS);
static_assert(offsetof(pt_regs, sp) == PT_RSP);
static_assert(offsetof(pt_regs, ss) == PT_SS);
static_assert(sizeof(pt_regs) == PT_SIZE);

struct percpu_area {
    uint64_t user_rsp;
    uint64_t top_of_stack;
    uint64_t self;
    uint64_t reserved[5];
};
static_assert(offsetof(percpu_area, user_rsp) == PERCPU_USER_RSP);
static_assert(offsetof(percpu_area, top_of_stack) == PERCPU_TOP_OF_STACK);
static_assert(offsetof(percpu_area, self) == PERCPU_SELF);
static_assert(sizeof(percpu_area) == PERCPU_SIZE);

}  // namespace lstar
#endif
