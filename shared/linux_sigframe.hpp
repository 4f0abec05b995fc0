// The frame Linux x86-64 builds on the user stack before it enters a signal handler
// (arch/x86/include/asm/sigframe.h struct rt_sigframe; uapi asm/sigcontext.h struct sigcontext_64,
// asm-generic/ucontext.h). At the handler's first instruction RSP points at pretcode. The tracer
// reads it to see that a syscall's return went to a handler: uc_mcontext.ip is where the call
// would have returned, uc_mcontext.ax what it returned (vmm/trace/inflight.hpp).
#pragma once
#include <cstddef>
#include <cstdint>

namespace lstar::uapi {

struct sigcontext_64 {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t di, si, bp, bx, dx, ax, cx, sp, ip, flags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2, fpstate;
    uint64_t reserved1[8];
};

struct stack_t_64 {
    uint64_t ss_sp;
    int32_t ss_flags;
    uint32_t pad;
    uint64_t ss_size;
};

struct ucontext_64 {
    uint64_t uc_flags, uc_link;
    stack_t_64 uc_stack;
    sigcontext_64 uc_mcontext;
    uint64_t uc_sigmask;
};

struct rt_sigframe_64 {
    uint64_t pretcode;  // the handler's return address: the sa_restorer that calls rt_sigreturn
    ucontext_64 uc;
    // struct siginfo info follows
};

inline constexpr size_t kSigframeIp = offsetof(rt_sigframe_64, uc) + offsetof(ucontext_64, uc_mcontext) +
                                      offsetof(sigcontext_64, ip);
inline constexpr size_t kSigframeAx = offsetof(rt_sigframe_64, uc) + offsetof(ucontext_64, uc_mcontext) +
                                      offsetof(sigcontext_64, ax);
// Pinned to Linux's layout: sigcontext_64 is 256 bytes, uc_mcontext starts 40 bytes into ucontext.
static_assert(sizeof(sigcontext_64) == 256 && offsetof(ucontext_64, uc_mcontext) == 40);
static_assert(kSigframeAx == 152 && kSigframeIp == 176);

}  // namespace lstar::uapi
