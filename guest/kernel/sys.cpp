// Process identity and small system calls (compare Linux's kernel/sys.c, arch/x86/kernel/
// process_64.c for arch_prctl, kernel/sched/core.c for sched_getaffinity). The one task is
// pid 1 and runs as root, as Linux's init does.
#include "exec.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "processor.hpp"
#include "random.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"
#include "x86/msr.hpp"

using namespace lstar;
using namespace lstar::kernel;

extern "C" long sys_getpid(SYSCALL_ARGS) { return current.pid; }
extern "C" long sys_gettid(SYSCALL_ARGS) { return current.pid; }
extern "C" long sys_getppid(SYSCALL_ARGS) { return 0; }  // init's parent: none (Linux says 0)
extern "C" long sys_getuid(SYSCALL_ARGS) { return 0; }
extern "C" long sys_geteuid(SYSCALL_ARGS) { return 0; }
extern "C" long sys_getgid(SYSCALL_ARGS) { return 0; }
extern "C" long sys_getegid(SYSCALL_ARGS) { return 0; }

extern "C" long sys_set_tid_address(SYSCALL_ARGS) { return current.pid; }  // no threads: nothing to clear
extern "C" long sys_set_robust_list(unsigned long, unsigned long len, unsigned long, unsigned long, unsigned long,
                                    unsigned long) {
    return len == 24 ? 0 : -err::kEINVAL;  // sizeof(struct robust_list_head); no threads to walk it
}

extern "C" long sys_uname(unsigned long buf, unsigned long, unsigned long, unsigned long, unsigned long,
                          unsigned long) {
    struct Field {
        char s[65];
    };
    static constexpr Field kUts[6] = {{"Linux"}, {"lstar"}, {"6.1.0-lstar"}, {"#1 lstar"}, {"x86_64"}, {"(none)"}};
    if (!user_range_accessible(buf, sizeof kUts, true)) return -err::kEFAULT;
    memcpy(reinterpret_cast<void*>(buf), kUts, sizeof kUts);
    return 0;
}

extern "C" long sys_arch_prctl(unsigned long code, unsigned long addr, unsigned long, unsigned long, unsigned long,
                               unsigned long) {
    constexpr unsigned long kSetGs = 0x1001, kSetFs = 0x1002, kGetFs = 0x1003, kGetGs = 0x1004;
    switch (code) {
    case kSetFs:
    case kSetGs:
        if (addr >= boot::kUserMax) return -err::kEPERM;  // Linux: TASK_SIZE_MAX
        // FS is the user's own (the kernel never uses it). The user's GS base sits in
        // KERNEL_GS_BASE while the kernel runs (swapgs), and comes back on the way out.
        if (code == kSetFs) wrmsr(x86::kMsrFsBase, addr), user_fs_base = addr;
        else wrmsr(x86::kMsrKernelGsBase, addr), user_gs_base = addr;
        return 0;
    case kGetFs:
    case kGetGs: {
        if (!user_range_accessible(addr, 8, true)) return -err::kEFAULT;
        *reinterpret_cast<uint64_t*>(addr) = code == kGetFs ? user_fs_base : user_gs_base;
        return 0;
    }
    default: return -err::kEINVAL;
    }
}

extern "C" long sys_sched_getaffinity(unsigned long pid, unsigned long len, unsigned long mask, unsigned long,
                                      unsigned long, unsigned long) {
    if (pid != 0 && pid != unsigned(current.pid)) return -err::kESRCH;
    if (len < 8 || (len & 7)) return -err::kEINVAL;  // cpumask_size() is 8 bytes here
    if (!user_range_accessible(mask, 8, true)) return -err::kEFAULT;
    *reinterpret_cast<uint64_t*>(mask) = 1;  // CPU 0
    return 8;
}

extern "C" long sys_getrandom(unsigned long buf, unsigned long len, unsigned long flags, unsigned long,
                              unsigned long, unsigned long) {
    if (flags & ~7ul) return -err::kEINVAL;  // GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE
    if (len > 0x2000000) len = 0x2000000;    // Linux caps one call at 32 MiB
    if (!user_range_accessible(buf, len, true)) return -err::kEFAULT;
    for (unsigned long i = 0; i < len; i += 8) {
        const uint64_t r = get_random_u64();
        memcpy(reinterpret_cast<char*>(buf) + i, &r, len - i < 8 ? len - i : 8);
    }
    return long(len);
}

namespace lstar::kernel {

uint64_t get_random_u64() {  // SplitMix64
    static uint64_t state;
    static bool seeded;
    if (!seeded) state = boot_info->random_seed ^ 0x6c73746172ull, seeded = true;
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

}  // namespace lstar::kernel
