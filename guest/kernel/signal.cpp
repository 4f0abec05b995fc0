// rt_sigaction(2) and rt_sigprocmask(2) (compare Linux's kernel/signal.c): the handlers and the
// blocked mask are recorded with Linux's checks. This kernel raises no signal a handler could
// catch (a fatal exception ends the run), so nothing is delivered; execve resets caught signals
// to SIG_DFL and keeps the mask, as flush_signal_handlers does.
#include "kernel.hpp"
#include "mm.hpp"
#include "signal.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"

namespace lstar::kernel {

namespace {

constexpr unsigned kNsig = 64;
constexpr uint64_t kSigIgn = 1;
constexpr unsigned kSigkill = 9, kSigstop = 19;
constexpr uint64_t kUnblockable = (1ull << (kSigkill - 1)) | (1ull << (kSigstop - 1));

// The x86-64 struct sigaction the syscall takes (Linux's struct kernel_sigaction without the
// compat fields): 32 bytes, the mask one word as sigsetsize must be 8.
struct KSigaction {
    uint64_t handler, flags, restorer, mask;
};

KSigaction actions[kNsig];
uint64_t blocked;

}  // namespace

void flush_signal_handlers() {
    for (auto& a : actions) {
        if (a.handler != kSigIgn) a.handler = 0;
        a.flags = a.restorer = a.mask = 0;
    }
}

}  // namespace lstar::kernel

using namespace lstar;
using namespace lstar::kernel;

extern "C" long sys_rt_sigaction(unsigned long sig, unsigned long uact, unsigned long uoact, unsigned long sigsetsize,
                                 unsigned long, unsigned long) {
    if (sigsetsize != sizeof(uint64_t)) return -err::kEINVAL;
    if (sig < 1 || sig > kNsig || (uact && (sig == kSigkill || sig == kSigstop))) return -err::kEINVAL;
    KSigaction act{};
    if (uact) {
        if (!user_range_accessible(uact, sizeof act, false)) return -err::kEFAULT;
        memcpy(&act, reinterpret_cast<const void*>(uact), sizeof act);
        act.mask &= ~kUnblockable;
    }
    // As Linux: the new action is in place even when the old one cannot be written back.
    const KSigaction old = actions[sig - 1];
    if (uact) actions[sig - 1] = act;
    if (uoact) {
        if (!user_range_accessible(uoact, sizeof old, true)) return -err::kEFAULT;
        memcpy(reinterpret_cast<void*>(uoact), &old, sizeof old);
    }
    return 0;
}

extern "C" long sys_rt_sigprocmask(unsigned long how, unsigned long uset, unsigned long uoset,
                                   unsigned long sigsetsize, unsigned long, unsigned long) {
    constexpr unsigned long kSigBlock = 0, kSigUnblock = 1, kSigSetmask = 2;
    if (sigsetsize != sizeof(uint64_t)) return -err::kEINVAL;
    uint64_t set = 0;
    if (uset) {
        if (!user_range_accessible(uset, sizeof set, false)) return -err::kEFAULT;
        memcpy(&set, reinterpret_cast<const void*>(uset), sizeof set);
        if (how != kSigBlock && how != kSigUnblock && how != kSigSetmask) return -err::kEINVAL;
    }
    const uint64_t old = blocked;
    if (uset) {
        if (how == kSigBlock) blocked |= set;
        else if (how == kSigUnblock) blocked &= ~set;
        else blocked = set;
        blocked &= ~kUnblockable;
    }
    if (uoset) {
        if (!user_range_accessible(uoset, sizeof old, true)) return -err::kEFAULT;
        memcpy(reinterpret_cast<void*>(uoset), &old, sizeof old);
    }
    return 0;
}
