#include "run/seccomp.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <ucontext.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>
#include <system_error>

#include "kvm/uapi.hpp"
#include "common/syscall_names.hpp"

namespace lstar::seccomp {

#if defined(LSTAR_SANITIZER_BUILD) || defined(__SANITIZE_ADDRESS__)
const bool kSanitizerBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
const bool kSanitizerBuild = true;
#else
const bool kSanitizerBuild = false;
#endif
#else
const bool kSanitizerBuild = false;
#endif

std::vector<sock_filter> compile(const Policy& p) {
    std::vector<sock_filter> out = {
        load(kOffArch), jeq(kAuditArchX86_64, 1, 0), ret(SECCOMP_RET_KILL_PROCESS),  // i386 or x32 calls: kill
        load(kOffNr),   jge(kX32SyscallBit, 0, 1),   ret(SECCOMP_RET_KILL_PROCESS),
    };
    for (const auto& r : p.rules) {
        std::vector<sock_filter> body;
        std::vector<size_t> to_fail;  // the JAs that leave the rule when an argument matches no value
        for (const auto& a : r.args) {
            if (a.index > 5) throw std::invalid_argument("seccomp: argument index past 5");
            const size_t n = a.values.size();
            for (size_t j = 0; j < n; ++j) {
                const uint64_t v = a.values[j];
                const size_t rest = 4 * (n - j - 1) + 1;  // the later values and the JA: skipped on a match
                if (rest > 255) throw std::invalid_argument("seccomp: too many values for one argument");
                body.push_back(load(arg_hi(a.index)));
                body.push_back(jeq(uint32_t(v >> 32), 0, 2));
                body.push_back(load(arg_lo(a.index)));
                body.push_back(jeq(uint32_t(v), uint8_t(rest), 0));
            }
            to_fail.push_back(body.size());
            body.push_back(stmt(BPF_JMP | BPF_JA, 0));
        }
        body.push_back(ret(SECCOMP_RET_ALLOW));
        for (size_t i : to_fail) body[i].k = uint32_t(body.size() - i - 1);  // to the next rule
        if (body.size() > 255) throw std::invalid_argument("seccomp: rule too long for a BPF jump");
        out.push_back(load(kOffNr));
        out.push_back(jeq(uint32_t(r.nr), 0, uint8_t(body.size())));
        out.insert(out.end(), body.begin(), body.end());
    }
    out.push_back(ret(p.on_violation));
    if (out.size() > BPF_MAXINSNS) throw std::invalid_argument("seccomp: program longer than BPF_MAXINSNS");
    return out;
}

size_t allowed_count(const Policy& p) {
    std::set<int> nrs;
    for (const auto& r : p.rules) nrs.insert(r.nr);
    return nrs.size();
}

uint32_t evaluate(std::span<const sock_filter> prog, const seccomp_data& d) {
    uint32_t a = 0;
    for (size_t pc = 0; pc < prog.size();) {
        const sock_filter& i = prog[pc];
        switch (i.code) {
        case BPF_LD | BPF_W | BPF_ABS:
            if (i.k % 4 || i.k + 4 > sizeof d) return SECCOMP_RET_KILL_PROCESS;  // the kernel's checker refuses these
            std::memcpy(&a, reinterpret_cast<const char*>(&d) + i.k, 4);
            ++pc;
            break;
        case BPF_JMP | BPF_JA: pc += 1 + i.k; break;
        case BPF_JMP | BPF_JEQ | BPF_K: pc += 1 + (a == i.k ? i.jt : i.jf); break;
        case BPF_JMP | BPF_JGE | BPF_K: pc += 1 + (a >= i.k ? i.jt : i.jf); break;
        case BPF_RET | BPF_K: return i.k;
        default: return SECCOMP_RET_KILL_PROCESS;
        }
    }
    return SECCOMP_RET_KILL_PROCESS;  // fell off the end: the kernel's checker refuses such a program
}

namespace {

std::vector<uint64_t> as_values(const std::vector<int>& fds) { return {fds.begin(), fds.end()}; }

// Sanitizer builds: the ASan/UBSan/LSan runtimes make calls of their own (shadow memory, reports,
// a pipe write to probe memory, /proc reads), and LeakSanitizer's check at exit runs in a cloned
// tracer task with every signal blocked, where one refused call kills it silently and leaves lstar
// spinning in sched_yield forever. So these builds refuse only what a VMM's run loop has no
// business doing and what the tests probe: making sockets and running programs. Everything else
// (up to the last x86-64 number) is allowed; release builds keep the allowlist below.
constexpr int kSanitizerRefused[] = {
    SYS_socket, SYS_socketpair, SYS_connect, SYS_bind, SYS_listen, SYS_accept, SYS_accept4, SYS_execve,
    SYS_execveat,
};
constexpr int kLastSyscall = 462;  // generous: numbers past the table are simply not allowed

// The static part of the run loop's list: memory for the allocator, time, locks, signals, exit.
constexpr int kAlwaysAllowed[] = {
    SYS_brk, SYS_munmap, SYS_mremap, SYS_madvise,  // malloc and free (large blocks are mmap'ed)
    SYS_clock_gettime,                             // the vDSO's fallback
    SYS_futex,                                     // std::mutex, spdlog's logger lock, thread joins
    SYS_rt_sigreturn,                              // SIGALRM (timeout), SIGINT/SIGTERM, gdb's kick, SIGSYS
    SYS_rt_sigprocmask, SYS_rt_sigaction,          // restoring the handlers when the run ends
    SYS_setitimer,                                 // disarming --timeout
    SYS_restart_syscall,                           // after SIGSTOP/SIGCONT of a blocked call
    SYS_gettid,                                    // spdlog
    SYS_close,                                     // tear-down: files, the vCPU, the VM
    SYS_rseq, SYS_set_robust_list,                 // a thread's first steps in glibc (start_thread)
    SYS_exit, SYS_exit_group,
};

}  // namespace

Policy run_loop_policy(const RunLoopFds& fds) {
    Policy p;
    auto allow = [&p](int nr, std::vector<ArgIn> args = {}) { p.rules.push_back(Rule{nr, std::move(args)}); };
    // The KVM ioctls of the run loop, on the KVM descriptors only. First, and KVM_RUN first among
    // them: the filter runs on every KVM_RUN (one per exit), and the rules are tried in order.
    // (Calls allowed with no argument check skip the program: the kernel caches them, 5.11+.)
    const std::vector<uint64_t> kvm_requests = {
        KVM_RUN,           KVM_GET_REGS,           KVM_SET_REGS,     KVM_GET_SREGS, KVM_SET_SREGS,
        kvm::uapi::kGetMsrs, kvm::uapi::kSetMsrs,         KVM_SET_GUEST_DEBUG,
        KVM_IRQ_LINE,  // on the VM descriptor: COM1's interrupt for a foreign kernel
    };
    allow(SYS_ioctl, {{0, as_values(fds.kvm)}, {1, kvm_requests}});
    for (int nr : kAlwaysAllowed) allow(nr);
    // New memory is never executable: PROT_NONE (guard pages), PROT_READ, PROT_READ|PROT_WRITE.
    const std::vector<uint64_t> prot = {PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE};
    allow(SYS_mmap, {{2, prot}});
    allow(SYS_mprotect, {{2, prot}});
    // glibc asks whether stdout is a terminal (TCGETS) when it first buffers it.
    allow(SYS_ioctl, {{0, as_values(fds.output)}, {1, {TCGETS}}});
    for (int nr : {SYS_write, SYS_writev, SYS_fsync, SYS_fdatasync, SYS_fstat, SYS_newfstatat})
        allow(nr, {{0, as_values(fds.output)}});
    if (!fds.input.empty()) allow(SYS_read, {{0, as_values(fds.input)}});
    if (!fds.sockets.empty()) {  // --gdb: the stub's connection, its watcher's eventfd and Ctrl-C kick
        for (int nr : {SYS_sendto, SYS_recvfrom, SYS_write, SYS_read}) allow(nr, {{0, as_values(fds.sockets)}});
        allow(SYS_poll);
        allow(SYS_ppoll);
        allow(SYS_getpid);
        allow(SYS_tgkill, {{0, {uint64_t(::getpid())}}});  // pthread_kill, within this process only
    }
    if (!fds.readonly.empty()) {  // --timings: read-only calls with no effect on anything
        allow(SYS_pread64, {{0, as_values(fds.readonly)}});
        allow(SYS_mincore);
    }
    if (kSanitizerBuild)
        for (int nr = 0; nr <= kLastSyscall; ++nr)
            if (std::find(std::begin(kSanitizerRefused), std::end(kSanitizerRefused), nr) == std::end(kSanitizerRefused))
                allow(nr);
    return p;
}

namespace {

std::atomic<long> g_refused{-1};
void (*g_on_refused)() = nullptr;

// Async-signal-safe: no allocation, no stdio.
void on_sigsys(int, siginfo_t* si, void* ctx) {
    const long nr = si->si_syscall;
    long none = -1;
    g_refused.compare_exchange_strong(none, nr);
    char msg[160] = "lstar: seccomp: refused system call ";
    size_t n = std::strlen(msg);
    const char* name = syscall_name(uint64_t(nr));
    for (const char* s = name ? name : "?"; *s && n < 100; ++s) msg[n++] = *s;
    msg[n++] = ' ';
    msg[n++] = '(';
    char digits[24];
    size_t d = 0;
    for (unsigned long v = (unsigned long)nr; d == 0 || v; v /= 10) digits[d++] = char('0' + v % 10);
    while (d) msg[n++] = digits[--d];
    const char tail[] = "): stopping the guest\n";
    std::memcpy(msg + n, tail, sizeof tail - 1);
    n += sizeof tail - 1;
    (void)!::write(STDERR_FILENO, msg, n);
    // The call was not made: let it fail as SECCOMP_RET_ERRNO(EPERM) would.
    static_cast<ucontext_t*>(ctx)->uc_mcontext.gregs[REG_RAX] = -EPERM;
    if (g_on_refused) g_on_refused();
}

}  // namespace

void install(const Policy& p, void (*on_refused)()) {
    auto prog = compile(p);
    g_on_refused = on_refused;
    struct sigaction sa {};
    sa.sa_sigaction = on_sigsys;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO;
    if (sigaction(SIGSYS, &sa, nullptr) != 0) throw std::system_error(errno, std::generic_category(), "seccomp: sigaction(SIGSYS)");
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        throw std::system_error(errno, std::generic_category(), "seccomp: prctl(PR_SET_NO_NEW_PRIVS)");
    sock_fprog fprog{uint16_t(prog.size()), prog.data()};
    long r = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fprog);
    if (r < 0) throw std::system_error(errno, std::generic_category(), "seccomp(SECCOMP_SET_MODE_FILTER)");
    if (r > 0) throw std::runtime_error("seccomp: thread " + std::to_string(r) + " could not be synchronized");
}

long refused_syscall() { return g_refused.load(); }

}  // namespace lstar::seccomp
