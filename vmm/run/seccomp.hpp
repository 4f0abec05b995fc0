// Least privilege for the run loop (docs/seccomp.md): once the VM is set up, a seccomp-BPF filter
// on every thread allows only the system calls the run loop makes, on the descriptors it owns,
// as Firecracker's vCPU filter does. Raw BPF (no libseccomp): constexpr instruction encoders,
// a compiler from a small rule list, and an interpreter of the same subset for the unit tests.
#pragma once
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lstar::seccomp {

// <linux/filter.h>'s BPF_STMT and BPF_JUMP, constexpr.
constexpr sock_filter stmt(uint16_t code, uint32_t k) { return sock_filter{code, 0, 0, k}; }
constexpr sock_filter jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) { return sock_filter{code, jt, jf, k}; }
// Loads of struct seccomp_data's fields (the argument words: low half, then high half).
constexpr uint32_t kOffNr = 0, kOffArch = 4;
constexpr uint32_t arg_lo(unsigned i) { return 16 + 8 * i; }
constexpr uint32_t arg_hi(unsigned i) { return 16 + 8 * i + 4; }
constexpr sock_filter load(uint32_t offset) { return stmt(BPF_LD | BPF_W | BPF_ABS, offset); }
constexpr sock_filter ret(uint32_t action) { return stmt(BPF_RET | BPF_K, action); }
constexpr sock_filter jeq(uint32_t k, uint8_t jt, uint8_t jf) { return jump(BPF_JMP | BPF_JEQ | BPF_K, k, jt, jf); }
constexpr sock_filter jge(uint32_t k, uint8_t jt, uint8_t jf) { return jump(BPF_JMP | BPF_JGE | BPF_K, k, jt, jf); }

constexpr uint32_t kAuditArchX86_64 = 0xc000003eu;  // AUDIT_ARCH_X86_64: EM_X86_64 | 64BIT | LE
constexpr uint32_t kX32SyscallBit = 0x40000000u;    // __X32_SYSCALL_BIT: the x32 ABI's numbers

// Argument `index` (0-5) must be one of `values` (compared as full 64-bit words).
struct ArgIn {
    unsigned index;
    std::vector<uint64_t> values;
};
// System call `nr` is allowed when every ArgIn holds. Several rules for one number are alternatives.
struct Rule {
    int nr;
    std::vector<ArgIn> args;
};
struct Policy {
    std::vector<Rule> rules;
    uint32_t on_violation = SECCOMP_RET_TRAP;  // what a call matching no rule gets
};

// The BPF program: architecture check, x32 refused, then the rules in order, then on_violation.
// Throws std::invalid_argument when a rule is too large for BPF's 8-bit jumps.
std::vector<sock_filter> compile(const Policy& p);
// How many distinct system calls the policy allows (with or without argument checks).
size_t allowed_count(const Policy& p);
// What the kernel's BPF interpreter returns for this program and input (the subset compile emits:
// LD W ABS, JEQ/JGE K, JA, RET K). For tests.
uint32_t evaluate(std::span<const sock_filter> prog, const seccomp_data& d);

// The descriptors the run loop may use.
struct RunLoopFds {
    std::vector<int> kvm;      // the vCPU (and VM) descriptors: KVM ioctls
    std::vector<int> output;   // stdout, stderr, the exit log, the trace file: write, fsync, fstat
    std::vector<int> sockets;  // the gdb connection and its watcher's eventfd: send, recv, poll
    std::vector<int> readonly; // --timings: /proc/self/status (pread64), and mincore() on guest RAM
    std::vector<int> input;    // stdin: read, for the guest's console reads (run_events.cpp)
};
// The run loop's policy. Sanitizer builds (LSTAR_SANITIZER_BUILD, set by meson from b_sanitize)
// also allow what the ASan/UBSan/LSan runtimes call (reports, the leak check at exit).
Policy run_loop_policy(const RunLoopFds& fds);
extern const bool kSanitizerBuild;

// Install the policy on every thread of the process (SECCOMP_FILTER_FLAG_TSYNC), after
// PR_SET_NO_NEW_PRIVS. With SECCOMP_RET_TRAP, a refused call raises SIGSYS: the handler installed
// here writes "lstar: seccomp: refused system call NAME (NR)" to stderr, makes the call fail with
// EPERM, records it and calls on_refused (async-signal-safe: it only asks the vCPU to exit).
// Throws std::system_error when the kernel refuses the filter.
void install(const Policy& p, void (*on_refused)());
// The number of the first refused system call, or -1.
long refused_syscall();

}  // namespace lstar::seccomp
