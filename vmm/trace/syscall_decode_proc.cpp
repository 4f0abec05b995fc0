// strace 6.1's words for the process calls: clone, wait4 and waitid, prctl, reboot, getrusage,
// times, sysinfo, getgroups, pipe, uname. Checked against strace on the host (tests/unit/test_syscall_decode_proc.cpp).
#include <algorithm>
#include <csignal>
#include <cstdio>

#include "common/hex.hpp"
#include "linux_uapi.hpp"
#include "trace/syscall_decode.hpp"
#include "trace/syscall_decode_util.hpp"

namespace lstar::trace {

using namespace lstar::uapi;
using decode::address;
using decode::bit_names;
using decode::read_ints;
using decode::read_words;
using decode::value_name;

namespace {

// "[10664]": an int the call wrote, or the address when it cannot be read.
std::string int_at(const MemReader& read, uint64_t va, bool as_signal = false) {
    uint32_t v;
    if (!va || !read_ints(read, va, &v, 1)) return address(va);
    return "[" + (as_signal ? signal_name(v) : std::to_string(int32_t(v))) + "]";
}

// clock_t in USER_HZ (100) ticks, with the seconds as strace's comment: "150 /* 1.50 s */".
std::string clock_ticks(uint64_t t) {
    if (!t) return "0";
    char c[48];
    std::snprintf(c, sizeof c, " /* %llu.%02llu s */", (unsigned long long)(t / 100), (unsigned long long)(t % 100));
    return std::to_string(t) + c;
}

}  // namespace

std::string clone_args(const uint64_t* a, bool ok, const MemReader& read) {
    using namespace clone_flags;
    // x86-64's order: flags, child_stack, parent_tid, child_tid, tls; strace prints the stack first.
    const uint64_t flags = a[0] & ~SIGNAL, sig = a[0] & SIGNAL;
    std::string s = "child_stack=" + address(a[1]) + ", flags=";
    if (flags) {
        s += bit_names(flags,
                       {{VM, "CLONE_VM"}, {FS, "CLONE_FS"}, {FILES, "CLONE_FILES"}, {SIGHAND, "CLONE_SIGHAND"},
                        {PIDFD, "CLONE_PIDFD"}, {PTRACE, "CLONE_PTRACE"}, {VFORK, "CLONE_VFORK"},
                        {PARENT, "CLONE_PARENT"}, {THREAD, "CLONE_THREAD"}, {NEWNS, "CLONE_NEWNS"},
                        {SYSVSEM, "CLONE_SYSVSEM"}, {SETTLS, "CLONE_SETTLS"}, {PARENT_SETTID, "CLONE_PARENT_SETTID"},
                        {CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"}, {DETACHED, "CLONE_DETACHED"},
                        {UNTRACED, "CLONE_UNTRACED"}, {CHILD_SETTID, "CLONE_CHILD_SETTID"},
                        {NEWCGROUP, "CLONE_NEWCGROUP"}, {NEWUTS, "CLONE_NEWUTS"}, {NEWIPC, "CLONE_NEWIPC"},
                        {NEWUSER, "CLONE_NEWUSER"}, {NEWPID, "CLONE_NEWPID"}, {NEWNET, "CLONE_NEWNET"},
                        {IO, "CLONE_IO"}},
                       "", "CLONE_???");
        if (sig) s += "|" + signal_name(sig);
    } else {
        s += sig ? signal_name(sig) : "0";
    }
    // The pointers only for the flags that use them; the parent's tid as written, when it was.
    if (flags & (PARENT_SETTID | PIDFD))
        s += ", parent_tid=" + (ok && (flags & PARENT_SETTID) ? int_at(read, a[2]) : address(a[2]));
    if (flags & SETTLS) s += ", tls=" + address(a[4]);
    if (flags & (CHILD_SETTID | CHILD_CLEARTID)) s += ", child_tidptr=" + address(a[3]);
    return s;
}

std::string reboot_args(const uint64_t* a, const MemReader& read) {
    const uint64_t cmd = a[2] & 0xffffffff;
    std::string s = value_name(a[0] & 0xffffffff, {{LINUX_REBOOT_MAGIC1, "LINUX_REBOOT_MAGIC1"}}, "LINUX_REBOOT_MAGIC_???");
    s += ", " + value_name(a[1] & 0xffffffff,
                           {{LINUX_REBOOT_MAGIC2, "LINUX_REBOOT_MAGIC2"}, {LINUX_REBOOT_MAGIC2A, "LINUX_REBOOT_MAGIC2A"},
                            {LINUX_REBOOT_MAGIC2B, "LINUX_REBOOT_MAGIC2B"}, {LINUX_REBOOT_MAGIC2C, "LINUX_REBOOT_MAGIC2C"}},
                           "LINUX_REBOOT_MAGIC_???");
    s += ", " + value_name(cmd,
                           {{LINUX_REBOOT_CMD_RESTART, "LINUX_REBOOT_CMD_RESTART"},
                            {LINUX_REBOOT_CMD_HALT, "LINUX_REBOOT_CMD_HALT"},
                            {LINUX_REBOOT_CMD_CAD_ON, "LINUX_REBOOT_CMD_CAD_ON"},
                            {LINUX_REBOOT_CMD_CAD_OFF, "LINUX_REBOOT_CMD_CAD_OFF"},
                            {LINUX_REBOOT_CMD_POWER_OFF, "LINUX_REBOOT_CMD_POWER_OFF"},
                            {LINUX_REBOOT_CMD_RESTART2, "LINUX_REBOOT_CMD_RESTART2"},
                            {LINUX_REBOOT_CMD_SW_SUSPEND, "LINUX_REBOOT_CMD_SW_SUSPEND"},
                            {LINUX_REBOOT_CMD_KEXEC, "LINUX_REBOOT_CMD_KEXEC"}},
                           "LINUX_REBOOT_CMD_???");
    if (cmd == LINUX_REBOOT_CMD_RESTART2) s += ", " + (a[3] ? quoted_at(read, a[3], kStringMax, true) : "NULL");
    return s;
}

namespace {

std::string capability_name(uint64_t cap) {
    static const char* const names[] = {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
        "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"};
    return decode::enum_name(cap & 0xffffffff, names, std::size(names), "CAP_???");
}

std::string dumpable(uint64_t v) {
    static const char* const names[] = {"SUID_DUMP_DISABLE", "SUID_DUMP_USER", "SUID_DUMP_ROOT"};
    return decode::enum_name(v, names, std::size(names), "SUID_DUMP_???");
}

}  // namespace

std::string prctl_args(const uint64_t* a, bool ok, const MemReader& read) {
    const uint64_t op = a[0] & 0xffffffff;
    auto name = [](const char* n) { return std::string(n); };
    switch (op) {
    case PR_SET_NAME: return name("PR_SET_NAME, ") + (a[1] ? quoted_at(read, a[1], 16, true) : "NULL");
    case PR_GET_NAME: return name("PR_GET_NAME, ") + (ok && a[1] ? quoted_at(read, a[1], 16, true) : address(a[1]));
    case PR_SET_PDEATHSIG: return "PR_SET_PDEATHSIG, " + signal_name(a[1]);
    case PR_GET_PDEATHSIG: return "PR_GET_PDEATHSIG, " + (ok ? int_at(read, a[1], true) : address(a[1]));
    case PR_GET_DUMPABLE: return "PR_GET_DUMPABLE";
    case PR_SET_DUMPABLE: return "PR_SET_DUMPABLE, " + dumpable(a[1]);
    case PR_GET_KEEPCAPS: return "PR_GET_KEEPCAPS";
    case PR_SET_KEEPCAPS: return "PR_SET_KEEPCAPS, " + std::to_string(a[1]);
    case PR_GET_SECCOMP: return "PR_GET_SECCOMP";
    case PR_SET_SECCOMP: {
        static const char* const modes[] = {"SECCOMP_MODE_DISABLED", "SECCOMP_MODE_STRICT", "SECCOMP_MODE_FILTER"};
        std::string s = "PR_SET_SECCOMP, " + decode::enum_name(a[1], modes, std::size(modes), "SECCOMP_MODE_???");
        return a[1] == 2 ? s + ", " + address(a[2]) : s;
    }
    case PR_CAPBSET_READ: return "PR_CAPBSET_READ, " + capability_name(a[1]);
    case PR_CAPBSET_DROP: return "PR_CAPBSET_DROP, " + capability_name(a[1]);
    case PR_GET_TIMERSLACK: return "PR_GET_TIMERSLACK";
    case PR_SET_TIMERSLACK: return "PR_SET_TIMERSLACK, " + std::to_string(a[1]);
    case PR_SET_CHILD_SUBREAPER: return "PR_SET_CHILD_SUBREAPER, " + std::to_string(int32_t(a[1]));
    case PR_GET_CHILD_SUBREAPER: return "PR_GET_CHILD_SUBREAPER, " + (ok ? int_at(read, a[1]) : address(a[1]));
    case PR_SET_NO_NEW_PRIVS:
    case PR_GET_NO_NEW_PRIVS: {
        std::string s = op == PR_SET_NO_NEW_PRIVS ? "PR_SET_NO_NEW_PRIVS" : "PR_GET_NO_NEW_PRIVS";
        for (int i = 1; i < 5; ++i) s += ", " + std::to_string(a[i]);  // strace shows the unused ones too
        return s;
    }
    default: {
        std::string s = hex(op) + " /* PR_??? */";
        for (int i = 1; i < 5; ++i) s += ", " + hex(a[i]);
        return s;
    }
    }
}

std::string prctl_note(const uint64_t* a, int64_t ret) {
    return (a[0] & 0xffffffff) == PR_GET_DUMPABLE ? dumpable(uint64_t(ret)) : "";
}

std::string wait_status_text(uint32_t status) {
    // glibc's W* macros, spelled out as strace does; what they leave is appended.
    std::string s;
    const uint32_t low = status & 0x7f;
    if ((status & 0xff) == 0x7f) {
        const uint32_t sig = (status >> 8) & 0xff;
        s = "{WIFSTOPPED(s) && WSTOPSIG(s) == " + signal_name(sig & 0x7f) + (sig & 0x80 ? " | 0x80" : "") + "}";
        status &= ~((sig << 8) | 0x7f);
    } else if (low != 0 && low != 0x7f) {
        s = "{WIFSIGNALED(s) && WTERMSIG(s) == " + signal_name(low) + (status & 0x80 ? " && WCOREDUMP(s)" : "") + "}";
        status &= ~(low | 0x80);
    } else if (low == 0) {
        s = "{WIFEXITED(s) && WEXITSTATUS(s) == " + std::to_string((status >> 8) & 0xff) + "}";
        status &= ~0xff00u;
    } else {
        return "[" + hex(status) + "]";
    }
    if (const uint32_t event = status >> 16) {
        static const char* const events[] = {nullptr, "PTRACE_EVENT_FORK", "PTRACE_EVENT_VFORK", "PTRACE_EVENT_CLONE",
                                             "PTRACE_EVENT_EXEC", "PTRACE_EVENT_VFORK_DONE", "PTRACE_EVENT_EXIT",
                                             "PTRACE_EVENT_SECCOMP"};
        s += " | " + (event == 128 ? std::string("PTRACE_EVENT_STOP")
                                   : decode::enum_name(event, events, std::size(events), "PTRACE_EVENT_???")) + " << 16";
        status &= 0xffff;
    }
    if (status) s += " | " + hex(status);
    return s;
}

std::string wait_status_at(const MemReader& read, uint64_t va) {
    uint32_t st;
    if (!va || !read_ints(read, va, &st, 1)) return address(va);
    return "[" + wait_status_text(st) + "]";
}

std::string wait_options(uint64_t o) {
    using namespace wait_options;
    return bit_names(o & 0xffffffff,
                     {{NOHANG, "WNOHANG"}, {EXITED, "WEXITED"}, {STOPPED, "WSTOPPED"}, {CONTINUED, "WCONTINUED"},
                      {NOWAIT, "WNOWAIT"}, {CLONE, "__WCLONE"}, {ALL, "__WALL"}, {NOTHREAD, "__WNOTHREAD"}},
                     "", "W???");
}

std::string waitid_type(uint64_t t) {
    static const char* const names[] = {"P_ALL", "P_PID", "P_PGID", "P_PIDFD"};
    return decode::enum_name(t & 0xffffffff, names, std::size(names), "P_???");
}

std::string siginfo_at(const MemReader& read, uint64_t va) {
    // siginfo_t (x86-64): si_signo, si_errno, si_code (ints), then for SIGCHLD si_pid, si_uid at 16,
    // si_status at 24 and si_utime, si_stime (clock_t) at 32 and 40.
    uint64_t w[6];
    if (!va || !read_words(read, va, w, 6)) return address(va);
    const auto signo = uint32_t(w[0]), code = uint32_t(w[1]), status = uint32_t(w[3]);
    if (signo == 0) return "{}";  // WNOHANG and nothing to report: the kernel zeroes it
    std::string s = "{si_signo=" + signal_name(signo);
    if (signo != SIGCHLD) return s + ", si_code=" + std::to_string(int32_t(code)) + ", ...}";
    static const char* const codes[] = {nullptr, "CLD_EXITED", "CLD_KILLED", "CLD_DUMPED",
                                        "CLD_TRAPPED", "CLD_STOPPED", "CLD_CONTINUED"};
    constexpr uint32_t kExited = 1;  // CLD_EXITED: si_status is the exit code, else a signal
    s += ", si_code=" + decode::enum_name(code, codes, std::size(codes), "CLD_???");
    s += ", si_pid=" + std::to_string(int32_t(w[2])) + ", si_uid=" + std::to_string(uint32_t(w[2] >> 32));
    s += ", si_status=" + (code == kExited ? std::to_string(int32_t(status)) : signal_name(status));
    return s + ", si_utime=" + std::to_string(w[4]) + ", si_stime=" + std::to_string(w[5]) + "}";
}

std::string rusage_at(const MemReader& read, uint64_t va) {
    // struct rusage starts with two struct timevals; strace abbreviates the rest.
    uint64_t w[4];
    if (!va || !read_words(read, va, w, 4)) return address(va);
    auto tv = [](const uint64_t* t) {
        return "{tv_sec=" + std::to_string(int64_t(t[0])) + ", tv_usec=" + std::to_string(int64_t(t[1])) + "}";
    };
    return "{ru_utime=" + tv(w) + ", ru_stime=" + tv(w + 2) + ", ...}";
}

std::string rusage_who(uint64_t who) {
    switch (int32_t(who)) {
    case 0: return "RUSAGE_SELF";
    case -1: return "RUSAGE_CHILDREN";
    case 1: return "RUSAGE_THREAD";
    default: return hex(who & 0xffffffff) + " /* RUSAGE_??? */";
    }
}

std::string uid_text(uint64_t id) {
    const auto v = uint32_t(id);
    return v == 0xffffffff ? "-1" : std::to_string(v);
}

std::string gid_list_at(const MemReader& read, uint64_t va, int64_t n) {
    constexpr int64_t kMax = 32;  // as many as strace -s 32 shows of an array
    uint32_t g[kMax];
    const int64_t shown = std::min(n, kMax);
    if (!va || n < 0 || !read_ints(read, va, g, size_t(shown))) return address(va);
    std::string s = "[";
    for (int64_t i = 0; i < shown; ++i) s += (i ? ", " : "") + std::to_string(g[i]);
    return s + (n > shown ? ", ...]" : "]");
}

std::string fd_pair_at(const MemReader& read, uint64_t va) {
    uint32_t fd[2];
    if (!va || !read_ints(read, va, fd, 2)) return address(va);
    return "[" + std::to_string(int32_t(fd[0])) + ", " + std::to_string(int32_t(fd[1])) + "]";
}

std::string tms_at(const MemReader& read, uint64_t va) {
    uint64_t w[4];
    if (!va || !read_words(read, va, w, 4)) return address(va);
    return "{tms_utime=" + clock_ticks(w[0]) + ", tms_stime=" + clock_ticks(w[1]) + ", tms_cutime=" +
           clock_ticks(w[2]) + ", tms_cstime=" + clock_ticks(w[3]) + "}";
}

std::string sysinfo_at(const MemReader& read, uint64_t va) {
    // struct sysinfo (x86-64): longs, procs (16 bits) at 80, totalhigh at 88, mem_unit (32 bits) at 104.
    uint64_t w[14];
    if (!va || !read_words(read, va, w, 14)) return address(va);
    auto u = [](uint64_t v) { return std::to_string(v); };
    return "{uptime=" + std::to_string(int64_t(w[0])) + ", loads=[" + u(w[1]) + ", " + u(w[2]) + ", " + u(w[3]) +
           "], totalram=" + u(w[4]) + ", freeram=" + u(w[5]) + ", sharedram=" + u(w[6]) + ", bufferram=" + u(w[7]) +
           ", totalswap=" + u(w[8]) + ", freeswap=" + u(w[9]) + ", procs=" + u(w[10] & 0xffff) +
           ", totalhigh=" + u(w[11]) + ", freehigh=" + u(w[12]) + ", mem_unit=" + u(w[13] & 0xffffffff) + "}";
}

std::string utsname_at(const MemReader& read, uint64_t va) {
    constexpr uint64_t kField = 65;  // struct utsname: six NUL-terminated arrays of 65 bytes
    if (!va || !read(va, 1)) return address(va);
    return "{sysname=" + quoted_at(read, va, kField, true) + ", nodename=" + quoted_at(read, va + kField, kField, true) +
           ", ...}";
}

}  // namespace lstar::trace
