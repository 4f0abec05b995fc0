// The run loop's seccomp filter: its BPF program interpreted here for a few calls, and installed
// for real in a forked child that then makes an allowed and a forbidden call.
#include <doctest/doctest.h>

#include <linux/kvm.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run/seccomp.hpp"

using namespace lstar::seccomp;

namespace {

seccomp_data call(int nr, std::initializer_list<uint64_t> args = {}, uint32_t arch = kAuditArchX86_64) {
    seccomp_data d{};
    d.nr = nr;
    d.arch = arch;
    size_t i = 0;
    for (uint64_t a : args) d.args[i++] = a;
    return d;
}

constexpr int kVcpuFd = 11, kLogFd = 7;

}  // namespace

TEST_CASE("BPF encoders: the fields of <linux/filter.h>'s BPF_STMT and BPF_JUMP") {
    constexpr sock_filter l = load(kOffNr);
    static_assert(l.code == (BPF_LD | BPF_W | BPF_ABS) && l.k == 0 && l.jt == 0 && l.jf == 0);
    constexpr sock_filter j = jeq(42, 3, 7);
    static_assert(j.code == (BPF_JMP | BPF_JEQ | BPF_K) && j.k == 42 && j.jt == 3 && j.jf == 7);
    static_assert(ret(SECCOMP_RET_ALLOW).code == (BPF_RET | BPF_K));
    static_assert(arg_lo(0) == offsetof(seccomp_data, args) && arg_hi(5) == offsetof(seccomp_data, args) + 44);
}

TEST_CASE("a rule with argument checks: every argument must be one of its values, full 64 bits") {
    Policy p{{Rule{SYS_write, {ArgIn{0, {1, 2}}}}, Rule{SYS_getpid, {}}}, SECCOMP_RET_TRAP};
    auto prog = compile(p);
    CHECK(evaluate(prog, call(SYS_getpid)) == SECCOMP_RET_ALLOW);
    CHECK(evaluate(prog, call(SYS_write, {1})) == SECCOMP_RET_ALLOW);
    CHECK(evaluate(prog, call(SYS_write, {2})) == SECCOMP_RET_ALLOW);
    CHECK(evaluate(prog, call(SYS_write, {3})) == SECCOMP_RET_TRAP);
    CHECK(evaluate(prog, call(SYS_write, {(1ull << 32) | 1})) == SECCOMP_RET_TRAP);  // the high word counts
    CHECK(evaluate(prog, call(SYS_read, {1})) == SECCOMP_RET_TRAP);
    // Another architecture's numbers, and x32's, are never looked up: the process is killed.
    CHECK(evaluate(prog, call(SYS_getpid, {}, 0x40000003 /* AUDIT_ARCH_I386 */)) == SECCOMP_RET_KILL_PROCESS);
    CHECK(evaluate(prog, call(SYS_getpid | int(kX32SyscallBit))) == SECCOMP_RET_KILL_PROCESS);
    CHECK(allowed_count(p) == 2);
}

TEST_CASE("the run loop's policy: KVM ioctls only on the vCPU, writes only to lstar's files, no open, no socket") {
    RunLoopFds fds{{kVcpuFd}, {1, 2, kLogFd}, {}};
    auto prog = compile(run_loop_policy(fds));
    CHECK(evaluate(prog, call(SYS_ioctl, {kVcpuFd, KVM_RUN})) == SECCOMP_RET_ALLOW);
    CHECK(evaluate(prog, call(SYS_ioctl, {kVcpuFd, KVM_GET_SREGS})) == SECCOMP_RET_ALLOW);
    CHECK(evaluate(prog, call(SYS_write, {kLogFd})) == SECCOMP_RET_ALLOW);
    CHECK(evaluate(prog, call(SYS_exit_group)) == SECCOMP_RET_ALLOW);
    CHECK(evaluate(prog, call(SYS_mmap, {0, 4096, PROT_READ | PROT_WRITE})) == SECCOMP_RET_ALLOW);
    if (!kSanitizerBuild) {  // the sanitizer runtimes need these, and get them in sanitizer builds only
        CHECK(evaluate(prog, call(SYS_ioctl, {kVcpuFd + 1, KVM_RUN})) == SECCOMP_RET_TRAP);  // not our vCPU
        CHECK(evaluate(prog, call(SYS_ioctl, {kVcpuFd, KVM_SET_USER_MEMORY_REGION})) == SECCOMP_RET_TRAP);
        CHECK(evaluate(prog, call(SYS_write, {kLogFd + 1})) == SECCOMP_RET_TRAP);
        CHECK(evaluate(prog, call(SYS_mmap, {0, 4096, PROT_READ | PROT_EXEC})) == SECCOMP_RET_TRAP);
        CHECK(evaluate(prog, call(SYS_openat, {uint64_t(-100)})) == SECCOMP_RET_TRAP);
    }
    CHECK(evaluate(prog, call(SYS_socket, {AF_INET})) == SECCOMP_RET_TRAP);
    CHECK(evaluate(prog, call(SYS_execve)) == SECCOMP_RET_TRAP);
    // The guest's console reads: read(2) on stdin, and on no other descriptor.
    RunLoopFds with_stdin{{kVcpuFd}, {1, 2}, {}, {}, {0}};
    auto iprog = compile(run_loop_policy(with_stdin));
    CHECK(evaluate(iprog, call(SYS_read, {0})) == SECCOMP_RET_ALLOW);
    if (!kSanitizerBuild) {
        CHECK(evaluate(iprog, call(SYS_read, {kLogFd})) == SECCOMP_RET_TRAP);
        CHECK(evaluate(prog, call(SYS_read, {0})) == SECCOMP_RET_TRAP);  // no input given: no read
    }
    // With --gdb the stub's socket may be used, and (in release builds) only it.
    RunLoopFds with_gdb{{kVcpuFd}, {1, 2}, {9}};
    auto gprog = compile(run_loop_policy(with_gdb));
    CHECK(evaluate(gprog, call(SYS_recvfrom, {9})) == SECCOMP_RET_ALLOW);
    if (!kSanitizerBuild) {
        CHECK(evaluate(prog, call(SYS_sendto, {1})) == SECCOMP_RET_TRAP);  // no gdb: no socket calls at all
        CHECK(evaluate(gprog, call(SYS_recvfrom, {1})) == SECCOMP_RET_TRAP);
    }
}

TEST_CASE("installed in a child: allowed calls work, a forbidden one is refused with EPERM and reported") {
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // The child: keep to what the policy allows (write to stderr, exit).
        static volatile sig_atomic_t refused_seen = 0;
        RunLoopFds fds{{}, {STDERR_FILENO}, {}};
        try {
            install(run_loop_policy(fds), [] { refused_seen = 1; });
        } catch (...) {
            ::_exit(10);
        }
        if (::write(STDERR_FILENO, "", 0) != 0) ::_exit(11);
        long s = ::syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
        if (s != -1 || errno != EPERM) ::_exit(12);
        if (!refused_seen || refused_syscall() != SYS_socket) ::_exit(13);
        ::_exit(42);
    }
    int ws = 0;
    REQUIRE(::waitpid(pid, &ws, 0) == pid);
    REQUIRE(WIFEXITED(ws));
    CHECK(WEXITSTATUS(ws) == 42);
}
