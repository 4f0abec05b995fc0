// The decoders for the calls of an init and busybox (trace/syscall_decode_proc.cpp, _fs.cpp):
// mount, reboot, clone, wait4, prctl, poll, select, socket and the rest. Each expectation is what
// strace 6.1 printed on the host for the same arguments (a program passing them to syscall(2),
// the dangerous calls failed with strace's -e inject), with this test's addresses.
#include <doctest/doctest.h>

#include <array>
#include <random>

#include "common/syscall_names.hpp"
#include "syscall_test_memory.hpp"
#include "trace/syscall_decode.hpp"
#include "trace/syscall_format.hpp"

using namespace lstar::trace;
using lstar::test::check_table;
using lstar::test::ints;
using lstar::test::reader;
using lstar::test::words;

namespace {

// The call by its x86-64 name, so the expectations read like strace's lines.
SyscallCall call(const char* name, std::initializer_list<uint64_t> args) {
    SyscallCall c{~0ull, {}};
    for (uint64_t n = 0; n < 1024 && c.nr == ~0ull; ++n)
        if (const char* s = lstar::syscall_name(n); s && std::string(s) == name) c.nr = n;
    REQUIRE(c.nr != ~0ull);
    size_t i = 0;
    for (uint64_t a : args) c.args[i++] = a;
    return c;
}

std::string cstr(const char* s) { return std::string(s) + '\0'; }

constexpr int64_t kEPERM = -1, kEINVAL = -22, kEFAULT = -14;

}  // namespace

TEST_CASE("mount, umount2, sync, reboot: flags and magic numbers by name, strings where they are strings") {
    auto read = reader({{0x1000, cstr("proc")}, {0x1100, cstr("/proc")}, {0x1200, cstr("/a")}, {0x1300, cstr("/b")},
                        {0x1400, cstr("size=1m")}, {0x1500, cstr("again")}});
    CHECK(format_syscall(call("mount", {0x1000, 0x1100, 0x1000, 0x8000, 0}), 0, read) ==
          "mount(\"proc\", \"/proc\", \"proc\", MS_SILENT, NULL) = 0");
    CHECK(format_syscall(call("mount", {0x1200, 0x1300, 0, 0x1000 | 0x4000, 0}), kEPERM, read) ==
          "mount(\"/a\", \"/b\", NULL, MS_BIND|MS_REC, NULL) = -1 EPERM (Operation not permitted)");
    CHECK(format_syscall(call("mount", {0x1000, 0x1100, 0x1000, 32 | 1 | 2, 0x1400}), 0, read) ==
          "mount(\"proc\", \"/proc\", 0x1000, MS_RDONLY|MS_NOSUID|MS_REMOUNT, \"size=1m\") = 0");
    check_table(mount_flags, {{0, "0"},
                              {0xc0ed0000, "MS_MGC_VAL"},
                              {0xc0ed0001, "MS_MGC_VAL|MS_RDONLY"},
                              {1024 | 16384 | (1 << 18) | (1 << 24) | (1 << 25) | (1ull << 31),
                               "MS_NOATIME|MS_REC|MS_PRIVATE|MS_STRICTATIME|MS_LAZYTIME|MS_NOUSER"},
                              {512, "0x200 /* MS_??? */"}});
    CHECK_FALSE(mount_data_is_string(1 << 18));  // MS_PRIVATE: data is not read
    CHECK(mount_data_is_string(32));
    CHECK_FALSE(mount_fstype_is_string(32));
    check_table(umount_flags, {{2, "MNT_DETACH"}, {0, "0"}, {0x1d, "MNT_FORCE|MNT_EXPIRE|UMOUNT_NOFOLLOW|0x10"}});
    CHECK(format_syscall(call("umount2", {0x1100, 2}), 0, read) == "umount2(\"/proc\", MNT_DETACH) = 0");
    // Linux's sync takes no arguments: the registers hold what they held.
    CHECK(format_syscall(call("sync", {0xffffff9c, 0x5ac25b, 0, 0, 0, 0x10}), 0, read) == "sync() = 0");
    CHECK(format_syscall(call("syncfs", {3}), 0, read) == "syncfs(3) = 0");
    CHECK(format_syscall(call("reboot", {0xfee1dead, 0x28121969, 0x1234567, 0, 0, 0x10}), std::nullopt, read) ==
          "reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_RESTART) = ?");
    CHECK(format_syscall(call("reboot", {0xfee1dead, 537993216, 0xa1b2c3d4, 0x1500}), kEPERM, read) ==
          "reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2C, LINUX_REBOOT_CMD_RESTART2, \"again\") = -1 EPERM "
          "(Operation not permitted)");
    CHECK(format_syscall(call("reboot", {0xfee1dead, 85072278, 0x4321fedc}), kEPERM, read).find(
              "reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2A, LINUX_REBOOT_CMD_POWER_OFF)") == 0);
    CHECK(format_syscall(call("reboot", {1, 2, 3}), kEPERM, read).find(
              "reboot(0x1 /* LINUX_REBOOT_MAGIC_??? */, 0x2 /* LINUX_REBOOT_MAGIC_??? */, "
              "0x3 /* LINUX_REBOOT_CMD_??? */)") == 0);
}

TEST_CASE("clone, fork, wait4, waitid: flags and the exit signal, statuses once the call returned a pid") {
    auto read = reader({{0x2000, ints({10664})},
                        {0x2100, ints({3 << 8})},
                        {0x2200, ints({9})},
                        {0x2300, ints({(19 << 8) | 0x7f})},
                        {0x2400, words({0, 218, 0, 0})},
                        {0x2500, ints({17, 0, 1, 0, 10661, 0, 0, 0, 0, 0, 0, 0})},
                        {0x2600, ints({17, 0, 2, 0, 10662, 0, 15, 0, 0, 0, 0, 0})},
                        {0x2700, std::string(48, '\0')},
                        {0x2800, ints({(6 << 8) | 0x80 | 11})}});
    CHECK(format_syscall(call("clone", {0x1200011, 0, 0, 0x2bbf5690, 0, 0x5e2740}), 78, read) ==
          "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x2bbf5690) = 78");
    CHECK(format_syscall(call("clone", {0x100011, 0, 0x2000, 0, 0}), 10664, read) ==
          "clone(child_stack=NULL, flags=CLONE_PARENT_SETTID|SIGCHLD, parent_tid=[10664]) = 10664");
    CHECK(format_syscall(call("clone", {17}), 10665, read) == "clone(child_stack=NULL, flags=SIGCHLD) = 10665");
    CHECK(format_syscall(call("clone", {0}), kEINVAL, read) ==
          "clone(child_stack=NULL, flags=0) = -1 EINVAL (Invalid argument)");
    CHECK(format_syscall(call("clone", {0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000 | 0x80000 | 0x100000 | 0x200000,
                                        0x7f0000001000, 0x2000, 0x7f0000002000, 0x7f0000003000}),
                         kEINVAL, read) ==
          "clone(child_stack=0x7f0000001000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|"
          "CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, parent_tid=0x2000, "
          "tls=0x7f0000003000, child_tidptr=0x7f0000002000) = -1 EINVAL (Invalid argument)");
    CHECK(format_syscall(call("clone", {0x20000 | 0x20000000 | 0x80000000 | 0x1000 | 0x7f, 0x1000, 0x2000}), kEINVAL, read) ==
          "clone(child_stack=0x1000, flags=CLONE_PIDFD|CLONE_NEWNS|CLONE_NEWPID|CLONE_IO|127, parent_tid=0x2000) = "
          "-1 EINVAL (Invalid argument)");
    // int $0x80: i386's clone has tls before child_tid, and structures of 32-bit longs print as addresses.
    CHECK(format_syscall({120, {0xffffffff01200011, 0, 0, 0x5000, 0x6000}, 32}, 78, read) ==
          "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x6000) = 78");
    CHECK(format_syscall({116, {0x2400}, 32}, 0, read) == "sysinfo(0x2400) = 0");
    CHECK(format_syscall(call("clone3", {0x1234000, 88}), -38, read) ==
          "clone3(0x1234000, 88) = -1 ENOSYS (Function not implemented)");
    CHECK(format_syscall(call("fork", {1, 2}), 5, read) == "fork() = 5");
    CHECK(format_syscall(call("vfork", {}), 5, read) == "vfork() = 5");
    // wait4: the pid as an int, the status decoded only when a child was reaped.
    CHECK(format_syscall(call("wait4", {0xffffffff, 0x2100, 0, 0, 0, 0x5e2740}), 78, read) ==
          "wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 78");
    CHECK(format_syscall(call("wait4", {0xffffffff, 0x2100, 1, 0}), 0, read) == "wait4(-1, 0x2100, WNOHANG, NULL) = 0");
    CHECK(format_syscall(call("wait4", {uint64_t(-1), 0x2200, 0, 0}), 10660, read) ==
          "wait4(-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], 0, NULL) = 10660");
    CHECK(format_syscall(call("wait4", {10660, 0x2300, 2, 0x2400}), 10660, read) ==
          "wait4(10660, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}], WSTOPPED, "
          "{ru_utime={tv_sec=0, tv_usec=218}, ru_stime={tv_sec=0, tv_usec=0}, ...}) = 10660");
    CHECK(format_syscall(call("wait4", {uint64_t(-1), 0, 1, 0}), -10, read) ==
          "wait4(-1, NULL, WNOHANG, NULL) = -1 ECHILD (No child processes)");
    CHECK(format_syscall(call("wait4", {uint64_t(-1), 0x2100, 0xe100010f, 0}), kEINVAL, read) ==
          "wait4(-1, 0x2100, WNOHANG|WEXITED|WSTOPPED|WCONTINUED|WNOWAIT|__WCLONE|__WALL|__WNOTHREAD|0x100, NULL) = "
          "-1 EINVAL (Invalid argument)");
    CHECK(wait_status_at(read, 0x2800) == "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)} | 0x600]");
    CHECK(wait_status_text(0x1057f) == "{WIFSTOPPED(s) && WSTOPSIG(s) == SIGTRAP} | PTRACE_EVENT_FORK << 16");
    CHECK(wait_status_at(read, 0xdead0000) == "0xdead0000");
    // waitid: the id type by name, siginfo as the call filled it.
    CHECK(format_syscall(call("waitid", {1, 10661, 0x2500, 4, 0}), 0, read) ==
          "waitid(P_PID, 10661, {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=10661, si_uid=0, si_status=0, "
          "si_utime=0, si_stime=0}, WEXITED, NULL) = 0");
    CHECK(format_syscall(call("waitid", {0, 0, 0x2600, 6, 0x2400}), 0, read) ==
          "waitid(P_ALL, 0, {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=10662, si_uid=0, si_status=SIGTERM, "
          "si_utime=0, si_stime=0}, WEXITED|WSTOPPED, {ru_utime={tv_sec=0, tv_usec=218}, ru_stime={tv_sec=0, "
          "tv_usec=0}, ...}) = 0");
    CHECK(format_syscall(call("waitid", {0, 0, 0x2700, 5, 0}), 0, read) == "waitid(P_ALL, 0, {}, WNOHANG|WEXITED, NULL) = 0");
    CHECK(format_syscall(call("waitid", {7, 0, 0, 0x100, 0}), kEINVAL, read) ==
          "waitid(0x7 /* P_??? */, 0, NULL, 0x100 /* W??? */, NULL) = -1 EINVAL (Invalid argument)");
}

TEST_CASE("prctl by option, clock_nanosleep, rt_sigreturn, the session and id calls, umask in octal") {
    auto read = reader({{0x3000, cstr("sh")}, {0x3100, ints({15})}, {0x3200, ints({1})},
                        {0x3300, words({1, 0})}, {0x3400, cstr("lstar")}});
    CHECK(format_syscall(call("prctl", {0x10, 0x3000, 0, 0, 0, 0xee6c6c0}), 0, read) == "prctl(PR_GET_NAME, \"sh\") = 0");
    CHECK(format_syscall(call("prctl", {0x10, 0xdead000}), kEFAULT, read) ==
          "prctl(PR_GET_NAME, 0xdead000) = -1 EFAULT (Bad address)");
    CHECK(format_syscall(call("prctl", {15, 0x3000}), 0, read) == "prctl(PR_SET_NAME, \"sh\") = 0");
    CHECK(format_syscall(call("prctl", {1, 15}), 0, read) == "prctl(PR_SET_PDEATHSIG, SIGTERM) = 0");
    CHECK(format_syscall(call("prctl", {2, 0x3100}), 0, read) == "prctl(PR_GET_PDEATHSIG, [SIGTERM]) = 0");
    CHECK(format_syscall(call("prctl", {3}), 1, read) == "prctl(PR_GET_DUMPABLE) = 1 (SUID_DUMP_USER)");
    CHECK(format_syscall(call("prctl", {4, 1}), 0, read) == "prctl(PR_SET_DUMPABLE, SUID_DUMP_USER) = 0");
    CHECK(format_syscall(call("prctl", {36, 1}), 0, read) == "prctl(PR_SET_CHILD_SUBREAPER, 1) = 0");
    CHECK(format_syscall(call("prctl", {37, 0x3200}), 0, read) == "prctl(PR_GET_CHILD_SUBREAPER, [1]) = 0");
    CHECK(format_syscall(call("prctl", {7}), 0, read) == "prctl(PR_GET_KEEPCAPS) = 0");
    CHECK(format_syscall(call("prctl", {8, 0}), 0, read) == "prctl(PR_SET_KEEPCAPS, 0) = 0");
    CHECK(format_syscall(call("prctl", {21}), 0, read) == "prctl(PR_GET_SECCOMP) = 0");
    CHECK(format_syscall(call("prctl", {39}), 0, read) == "prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) = 0");
    CHECK(format_syscall(call("prctl", {38, 1}), 0, read) == "prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) = 0");
    CHECK(format_syscall(call("prctl", {22, 1}), 0, read) == "prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) = 0");
    CHECK(format_syscall(call("prctl", {23, 21}), 1, read) == "prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN) = 1");
    CHECK(format_syscall(call("prctl", {30}), 50000, read) == "prctl(PR_GET_TIMERSLACK) = 50000");
    CHECK(format_syscall(call("prctl", {29, 50000}), 0, read) == "prctl(PR_SET_TIMERSLACK, 50000) = 0");
    CHECK(format_syscall(call("prctl", {0x7777, 1, 2, 3, 4}), kEINVAL, read) ==
          "prctl(0x7777 /* PR_??? */, 0x1, 0x2, 0x3, 0x4) = -1 EINVAL (Invalid argument)");
    CHECK(format_syscall(call("clock_nanosleep", {0, 0, 0x3300, 0x7ffd5373fcc0}), 0, read) ==
          "clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=1, tv_nsec=0}, 0x7ffd5373fcc0) = 0");
    CHECK(format_syscall(call("clock_nanosleep", {1, 1, 0x3300, 0}), 0, read) ==
          "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, {tv_sec=1, tv_nsec=0}, NULL) = 0");
    CHECK(timer_flags(2) == "0x2 /* TIMER_??? */");
    CHECK(format_syscall(call("rt_sigreturn", {0x11, 1, 2, 3, 4, 5}), 0, read) == "rt_sigreturn() = 0");
    CHECK(format_syscall(call("sethostname", {0x3400, 5}), 0, read) == "sethostname(\"lstar\", 5) = 0");
    CHECK(format_syscall(call("getpgrp", {7}), 1, read) == "getpgrp() = 1");
    CHECK(format_syscall(call("setpgid", {0, 0}), 0, read) == "setpgid(0, 0) = 0");
    CHECK(format_syscall(call("getpgid", {0}), 9, read) == "getpgid(0) = 9");
    CHECK(format_syscall(call("setsid", {}), kEPERM, read) == "setsid() = -1 EPERM (Operation not permitted)");
    CHECK(format_syscall(call("getsid", {0}), 9, read) == "getsid(0) = 9");
    CHECK(format_syscall(call("umask", {022}), 022, read) == "umask(022) = 022");
    CHECK(format_syscall(call("umask", {0}), 022, read) == "umask(000) = 022");
    CHECK(format_syscall(call("setuid", {0}), 0, read) == "setuid(0) = 0");
    CHECK(format_syscall(call("setgid", {0xffffffff}), kEPERM, read) == "setgid(-1) = -1 EPERM (Operation not permitted)");
    CHECK(format_syscall(call("alarm", {5}), 0, read) == "alarm(5) = 0");
    CHECK(format_syscall(call("pause", {}), -4, read) == "pause() = -1 EINTR (Interrupted system call)");
    CHECK(format_syscall(call("sched_yield", {}), 0, read) == "sched_yield() = 0");
    CHECK(format_syscall(call("tgkill", {10658, 10658, 0}), 0, read) == "tgkill(10658, 10658, 0) = 0");
    CHECK(format_syscall(call("tkill", {10658, 15}), 0, read) == "tkill(10658, SIGTERM) = 0");
}

TEST_CASE("output structures: sysinfo, statfs, rusage, tms, groups, pipe fds; the address when the call failed") {
    auto read = reader(
        {{0x4000, words({34120, 269184, 140608, 84192, 25276166144, 22484115456, 9990144, 3407872, 0, 0, 116, 0, 0, 1})},
         {0x4100, words({0xef53, 4096, 66053021, 61601965, 20633241, 16777216, 16357434, 0x55e2e7ac2539e63b, 255, 4096, 0x1020})},
         {0x4200, words({0x9fa0, 4096, 0, 0, 0, 0, 0, 0x14, 255, 4096, 0x21})},
         {0x4300, words({0, 10290, 0, 10290})},
         {0x4400, words({1, 150, 0, 0})},
         {0x4500, ints({0, 4, 27})},
         {0x4600, ints({12, 13})},
         {0x4700, cstr("/")}});
    CHECK(format_syscall(call("sysinfo", {0x4000}), 0, read) ==
          "sysinfo({uptime=34120, loads=[269184, 140608, 84192], totalram=25276166144, freeram=22484115456, "
          "sharedram=9990144, bufferram=3407872, totalswap=0, freeswap=0, procs=116, totalhigh=0, freehigh=0, "
          "mem_unit=1}) = 0");
    CHECK(format_syscall(call("statfs", {0x4700, 0x4100}), kEFAULT, read) == "statfs(\"/\", 0x4100) = -1 EFAULT (Bad address)");
    CHECK(format_syscall(call("fstatfs", {3, 0x4100}), 0, read) ==
          "fstatfs(3, {f_type=EXT2_SUPER_MAGIC, f_bsize=4096, f_blocks=66053021, f_bfree=61601965, f_bavail=20633241, "
          "f_files=16777216, f_ffree=16357434, f_fsid={val=[0x2539e63b, 0x55e2e7ac]}, f_namelen=255, f_frsize=4096, "
          "f_flags=ST_VALID|ST_RELATIME}) = 0");
    CHECK(statfs_at(read, 0x4200) ==
          "{f_type=PROC_SUPER_MAGIC, f_bsize=4096, f_blocks=0, f_bfree=0, f_bavail=0, f_files=0, f_ffree=0, "
          "f_fsid={val=[0x14, 0]}, f_namelen=255, f_frsize=4096, f_flags=ST_RDONLY|ST_VALID}");
    CHECK(format_syscall(call("getrusage", {0, 0x4300}), 0, read) ==
          "getrusage(RUSAGE_SELF, {ru_utime={tv_sec=0, tv_usec=10290}, ru_stime={tv_sec=0, tv_usec=10290}, ...}) = 0");
    CHECK(format_syscall(call("getrusage", {uint64_t(-1), 0x4300}), 0, read).find("getrusage(RUSAGE_CHILDREN, {") == 0);
    CHECK(format_syscall(call("getrusage", {5, 0x4300}), kEINVAL, read) ==
          "getrusage(0x5 /* RUSAGE_??? */, 0x4300) = -1 EINVAL (Invalid argument)");
    CHECK(format_syscall(call("times", {0x4400}), 1721368827, read) ==
          "times({tms_utime=1 /* 0.01 s */, tms_stime=150 /* 1.50 s */, tms_cutime=0, tms_cstime=0}) = 1721368827");
    CHECK(format_syscall(call("times", {0}), 1721368827, read) == "times(NULL) = 1721368827");
    CHECK(tms_at(reader({{0x10, words({84, 0, 0, 0})}}), 0x10) ==
          "{tms_utime=84 /* 0.84 s */, tms_stime=0, tms_cutime=0, tms_cstime=0}");
    CHECK(format_syscall(call("getgroups", {0, 0}), 3, read) == "getgroups(0, NULL) = 3");
    CHECK(format_syscall(call("getgroups", {32, 0x4500}), 3, read) == "getgroups(32, [0, 4, 27]) = 3");
    CHECK(format_syscall(call("getgroups", {32, 0x4500}), 0, read) == "getgroups(32, []) = 0");
    CHECK(format_syscall(call("pipe", {0x4600}), 0, read) == "pipe([12, 13]) = 0");
    CHECK(format_syscall(call("pipe2", {0x4600, 02000000}), 0, read) == "pipe2([12, 13], O_CLOEXEC) = 0");
    CHECK(format_syscall(call("pipe", {0xdead000}), kEFAULT, read) == "pipe(0xdead000) = -1 EFAULT (Bad address)");
    // Hostile pointers: a structure that cannot be read whole prints as its address.
    CHECK(sysinfo_at(read, 0x4600) == "0x4600");
    CHECK(statfs_at(read, 0x4300) == "0x4300");
    CHECK(tms_at(read, 0) == "NULL");
}

TEST_CASE("files: mknod's mode and device, renameat2, links, modes, owners, utimensat's times, truncate") {
    auto read = reader({{0x5000, cstr("/tmp/d/c")}, {0x5100, cstr("x")}, {0x5200, cstr("target")},
                        {0x5300, words({1, 2, 0, (1 << 30) - 1})}, {0x5400, words({0, (1 << 30) - 2, 0, (1 << 30) - 1})}});
    const uint64_t cwd = 0xffffff9c;
    CHECK(format_syscall(call("mknod", {0x5000, 010644, 0}), 0, read) == "mknod(\"/tmp/d/c\", S_IFIFO|0644) = 0");
    CHECK(format_syscall(call("mknod", {0x5000, 020600, 0x103}), kEPERM, read) ==
          "mknod(\"/tmp/d/c\", S_IFCHR|0600, makedev(0x1, 0x3)) = -1 EPERM (Operation not permitted)");
    CHECK(format_syscall(call("mknod", {0x5000, 060600, (259 << 8) | 0x70 | (0x111ull << 20)}), kEPERM, read).find(
              "S_IFBLK|0600, makedev(0x103, 0x11170))") != std::string::npos);
    CHECK(format_syscall(call("mknodat", {cwd, 0x5000, 0100644, 0}), 0, read) ==
          "mknodat(AT_FDCWD, \"/tmp/d/c\", S_IFREG|0644) = 0");
    CHECK(format_syscall(call("mknodat", {3, 0x5100, 0, 0}), -2, read) == "mknodat(3, \"x\", 000) = -1 ENOENT (No such file or directory)");
    CHECK(format_syscall(call("renameat2", {cwd, 0x5000, cwd, 0x5100, 0xb}), kEINVAL, read) ==
          "renameat2(AT_FDCWD, \"/tmp/d/c\", AT_FDCWD, \"x\", RENAME_NOREPLACE|RENAME_EXCHANGE|0x8) = -1 EINVAL (Invalid argument)");
    CHECK(format_syscall(call("renameat", {cwd, 0x5000, 3, 0x5100}), 0, read) == "renameat(AT_FDCWD, \"/tmp/d/c\", 3, \"x\") = 0");
    CHECK(format_syscall(call("rename", {0x5000, 0x5100}), 0, read) == "rename(\"/tmp/d/c\", \"x\") = 0");
    CHECK(format_syscall(call("symlink", {0x5200, 0x5100}), 0, read) == "symlink(\"target\", \"x\") = 0");
    CHECK(format_syscall(call("symlinkat", {0x5200, cwd, 0x5100}), 0, read) == "symlinkat(\"target\", AT_FDCWD, \"x\") = 0");
    CHECK(format_syscall(call("link", {0x5200, 0x5100}), 0, read) == "link(\"target\", \"x\") = 0");
    CHECK(format_syscall(call("linkat", {cwd, 0x5200, cwd, 0x5100, 0x400}), 0, read) ==
          "linkat(AT_FDCWD, \"target\", AT_FDCWD, \"x\", AT_SYMLINK_FOLLOW) = 0");
    CHECK(format_syscall(call("unlinkat", {cwd, 0x5100, 0x200}), 0, read) == "unlinkat(AT_FDCWD, \"x\", AT_REMOVEDIR) = 0");
    CHECK(format_syscall(call("mkdirat", {cwd, 0x5100, 0700}), 0, read) == "mkdirat(AT_FDCWD, \"x\", 0700) = 0");
    CHECK(format_syscall(call("fchmod", {3, 0644}), 0, read) == "fchmod(3, 0644) = 0");
    CHECK(format_syscall(call("fchmodat", {cwd, 0x5100, 04755}), 0, read) == "fchmodat(AT_FDCWD, \"x\", 04755) = 0");
    CHECK(format_syscall(call("chmod", {0x5100, 0600}), 0, read) == "chmod(\"x\", 0600) = 0");
    CHECK(format_syscall(call("fchown", {3, 0xffffffff, 1000}), 0, read) == "fchown(3, -1, 1000) = 0");
    CHECK(format_syscall(call("lchown", {0x5100, 4294967294u, uint64_t(-1)}), 0, read) == "lchown(\"x\", 4294967294, -1) = 0");
    CHECK(format_syscall(call("chown", {0x5100, 0, 0}), 0, read) == "chown(\"x\", 0, 0) = 0");
    CHECK(format_syscall(call("fchownat", {cwd, 0x5100, 1, 2, 0x100}), 0, read) ==
          "fchownat(AT_FDCWD, \"x\", 1, 2, AT_SYMLINK_NOFOLLOW) = 0");
    CHECK(format_syscall(call("utimensat", {cwd, 0x5100, 0, 0}), 0, read) == "utimensat(AT_FDCWD, \"x\", NULL, 0) = 0");
    CHECK(format_syscall(call("utimensat", {cwd, 0x5100, 0x5300, 0}), 0, read) ==
          "utimensat(AT_FDCWD, \"x\", [{tv_sec=1, tv_nsec=2} /* 1970-01-01T00:00:01.000000002+0000 */, UTIME_NOW], 0) = 0");
    CHECK(format_syscall(call("utimensat", {cwd, 0x5100, 0x5400, 0x100}), 0, read) ==
          "utimensat(AT_FDCWD, \"x\", [UTIME_OMIT, UTIME_NOW], AT_SYMLINK_NOFOLLOW) = 0");
    CHECK(format_syscall(call("utimensat", {3, 0, 0, 0}), 0, read) == "utimensat(3, NULL, NULL, 0) = 0");
    CHECK(format_syscall(call("truncate", {0x5100, uint64_t(-1)}), kEINVAL, read) ==
          "truncate(\"x\", 18446744073709551615) = -1 EINVAL (Invalid argument)");
    CHECK(format_syscall(call("ftruncate", {3, 0}), 0, read) == "ftruncate(3, 0) = 0");
    CHECK(format_syscall(call("chroot", {0x5100}), kEPERM, read) == "chroot(\"x\") = -1 EPERM (Operation not permitted)");
    CHECK(format_syscall(call("sendfile", {2, 11, 0, 3}), 3, read) == "sendfile(2, 11, NULL, 3) = 3");
    CHECK(format_syscall(call("getdents", {3, 0x7fff0000, 1024}), 1008, read) == "getdents(3, 0x7fff0000, 1024) = 1008");
    check_table(access_mode, {{0, "F_OK"}, {7, "R_OK|W_OK|X_OK"}, {0x14, "R_OK|0x10"}, {0x10, "0x10 /* ?_OK */"}});
    CHECK(format_syscall(call("access", {0x5100, 0}), -2, read) == "access(\"x\", F_OK) = -1 ENOENT (No such file or directory)");
    CHECK(format_syscall(call("faccessat", {cwd, 0x5100, 6}), 0, read) == "faccessat(AT_FDCWD, \"x\", R_OK|W_OK) = 0");
    auto uts = reader({{0x7000, cstr("Linux")}, {0x7000 + 65, cstr("(none)")}});
    CHECK(format_syscall(call("uname", {0x7000}), 0, uts) == "uname({sysname=\"Linux\", nodename=\"(none)\", ...}) = 0");
    CHECK(format_syscall(call("uname", {0}), kEFAULT, uts) == "uname(NULL) = -1 EFAULT (Bad address)");
    CHECK(utsname_at(uts, 0xdead000) == "0xdead000");
}

TEST_CASE("poll and select: the fds asked about, and after the result the ready ones and the time left") {
    // As the calls leave memory: revents filled in, the ready fds left in the sets, the time left.
    auto read = reader({{0x6000, words({0x0001'0001'00000000ull, 0x0004'0006'00000001ull, 0x00000000ffffffffull})},
                        {0x6100, words({0, 0})},
                        {0x6200, words({0x8})},
                        {0x6300, words({0x2})},
                        {0x6400, words({0, 1000})},
                        {0x6500, words({0x6600, 8})},
                        {0x6600, words({0x2})}});
    CHECK(format_syscall(call("poll", {0x6000, 3, 0}), 2, read) ==
          "poll([{fd=0, events=POLLIN}, {fd=1, events=POLLPRI|POLLOUT}, {fd=-1}], 3, 0) = 2 "
          "([{fd=0, revents=POLLIN}, {fd=1, revents=POLLOUT}])");
    CHECK(format_syscall(call("poll", {0, 0, 1}), 0, read) == "poll(NULL, 0, 1) = 0 (Timeout)");
    CHECK(format_syscall(call("poll", {0x6000, 3, uint64_t(-1)}), -4, read).find("], 3, -1) = -1 EINTR") != std::string::npos);
    CHECK(format_syscall(call("ppoll", {0x6000, 2, 0x6100, 0, 8}), 2, read) ==
          "ppoll([{fd=0, events=POLLIN}, {fd=1, events=POLLPRI|POLLOUT}], 2, {tv_sec=0, tv_nsec=0}, NULL, 8) = 2 "
          "([{fd=0, revents=POLLIN}, {fd=1, revents=POLLOUT}], left {tv_sec=0, tv_nsec=0})");
    CHECK(format_syscall(call("select", {4, 0x6200, 0, 0, 0x6100}), 1, read) ==
          "select(4, [3], NULL, NULL, {tv_sec=0, tv_usec=0}) = 1 (in [3], left {tv_sec=0, tv_usec=0})");
    CHECK(format_syscall(call("select", {2, 0x6300, 0x6300, 0, 0}), 1, read) == "select(2, [1], [1], NULL, NULL) = 1 (in [1])");
    CHECK(format_syscall(call("select", {2, 0x6300, 0, 0, 0x6400}), 0, read) ==
          "select(2, [1], NULL, NULL, {tv_sec=0, tv_usec=1000}) = 0 (Timeout)");
    CHECK(format_syscall(call("pselect6", {2, 0, 0x6300, 0, 0x6100, 0x6500}), 1, read) ==
          "pselect6(2, NULL, [1], NULL, {tv_sec=0, tv_nsec=0}, {sigmask=[INT], sigsetsize=8}) = 1 "
          "(out [1], left {tv_sec=0, tv_nsec=0})");
    CHECK(fd_set_at(read, 0x6200, 3) == "[]");  // fd 3 is beyond the first three
    CHECK(fd_set_at(read, 0xdead000, 3) == "0xdead000");
    CHECK(pollfds_at(read, 0xdead000, 2) == "0xdead000");
}

TEST_CASE("socket: domain, type and flags, the protocol as the domain names it") {
    check_table([](uint64_t v) { return socket_args(std::array<uint64_t, 6>{v >> 32, (v >> 8) & 0xffffff, v & 0xff}.data()); },
                {{(1ull << 32) | (0x80001ull << 8), "AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0"},
                 {(2ull << 32) | (2 << 8) | 17, "AF_INET, SOCK_DGRAM, IPPROTO_UDP"},
                 {(2ull << 32) | (1 << 8), "AF_INET, SOCK_STREAM, IPPROTO_IP"},
                 {(16ull << 32) | (0x803 << 8) | 15, "AF_NETLINK, SOCK_RAW|SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT"},
                 {(16ull << 32) | (2 << 8), "AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE"},
                 {(10ull << 32) | (1 << 8) | 6, "AF_INET6, SOCK_STREAM, IPPROTO_TCP"},
                 {(99ull << 32) | (77 << 8) | 5, "0x63 /* AF_??? */, 0x4d /* SOCK_??? */, 5"}});
    auto none = reader({});
    CHECK(format_syscall(call("socket", {17, 3, 0x300}), kEPERM, none) ==
          "socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) = -1 EPERM (Operation not permitted)");
    CHECK(format_syscall(call("socket", {1, 0x80001, 0}), 4, none) == "socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 4");
}

TEST_CASE("hostile guest memory: short, random and missing bytes never read past what the reader gave") {
    // Every call in the table, with arguments that are small numbers or pointers into a region whose
    // reads return random bytes, often fewer than asked; any line must still be whole.
    std::mt19937_64 rng(20261204);
    const MemReader read = [&rng](uint64_t va, size_t n) -> std::optional<std::vector<uint8_t>> {
        if (va < 0x10000 || va >= 0x20000) return std::nullopt;
        std::vector<uint8_t> b(rng() % (n + 1));
        for (auto& c : b) c = uint8_t(rng());
        return b;
    };
    for (uint64_t nr = 0; nr < 460; ++nr) {
        const char* name = lstar::syscall_name(nr);
        if (!name) continue;
        CAPTURE(name);
        for (int round = 0; round < 50; ++round) {
            SyscallCall c{nr, {}};
            for (auto& a : c.args) a = rng() % 3 == 0 ? 0x10000 + rng() % 0x10000 : rng() % 3 == 0 ? rng() : rng() % 64;
            const int64_t ret = rng() % 2 ? int64_t(rng() % 8) : -int64_t(rng() % 40);
            const std::string line = format_syscall(c, ret, read);
            CHECK(line.rfind(std::string(name) + "(", 0) == 0);
            CHECK(line.find(") = ") != std::string::npos);
        }
    }
}
