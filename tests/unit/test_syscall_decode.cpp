// strace's words for system call arguments (trace/syscall_decode.hpp), the -e filter, the -c table
// and whole lines. Each expectation is what strace 6.1 prints on the host for the same value
// (checked with a static program that passes them to syscall(2); tests/integration/
// test_strace_parity.cpp compares whole runs).
#include <doctest/doctest.h>

#include <cstring>
#include <map>

#include "cli/args.hpp"
#include "cli/trace_arg.hpp"
#include "common/syscall_names.hpp"
#include "trace/syscall_classes.hpp"
#include "trace/syscall_decode.hpp"
#include "trace/syscall_format.hpp"
#include "trace/syscall_stats.hpp"
#include "trace/tracer.hpp"
#include "syscall_test_memory.hpp"

using namespace lstar;
using namespace lstar::trace;
using lstar::test::reader;
using lstar::test::words;
using lstar::test::check_table;

TEST_CASE("open flags: access mode first, then strace's order, leftovers in hex; the mode only when creating") {
    check_table(open_flags, {{0, "O_RDONLY"},
                             {02000000, "O_RDONLY|O_CLOEXEC"},
                             {01 | 0100 | 01000 | 02000000, "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC"},
                             {04000 | 02000000 | 0200000, "O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY"},
                             {010000 | 0400000 | 01000000 | 02000000 | 010000000 | 0200000 | 020000,
                              "O_RDONLY|O_DSYNC|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_DIRECTORY|FASYNC"},
                             {01 | 020200000 | 02000000, "O_WRONLY|O_CLOEXEC|O_TMPFILE"},
                             {3 | 020000000, "O_ACCMODE|__O_TMPFILE"},
                             {02 | 04010000, "O_RDWR|O_SYNC"},
                             {01 | 0x40000000, "O_WRONLY|0x40000000"}});
    CHECK(open_takes_mode(0100));
    CHECK(open_takes_mode(020200000));
    CHECK_FALSE(open_takes_mode(02000000));
    check_table(file_mode, {{0644, "0644"}, {0, "000"}, {0600, "0600"}});
    check_table(dirfd, {{uint64_t(-100), "AT_FDCWD"}, {3, "3"}, {uint64_t(-5), "-5"}, {0xffffff9c, "AT_FDCWD"}});
    check_table(at_flags, {{0, "0"}, {0x1000, "AT_EMPTY_PATH"}, {0x1100, "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH"},
                           {0x1fff, "AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|0xff"}});
    check_table(fd_flags, {{0, "0"}, {02000000, "O_CLOEXEC"}, {04000 | 02000000, "O_NONBLOCK|O_CLOEXEC"}});
}

TEST_CASE("mmap prot and flags as strace prints them") {
    check_table(mmap_prot, {{0, "PROT_NONE"}, {1, "PROT_READ"}, {3, "PROT_READ|PROT_WRITE"}, {7, "PROT_READ|PROT_WRITE|PROT_EXEC"},
                            {0x01000101, "PROT_READ|PROT_GROWSDOWN|0x100"}});
    check_table(mmap_flags, {{0x22, "MAP_PRIVATE|MAP_ANONYMOUS"},
                             {0x812, "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE"},
                             {0x20022, "MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK"},
                             {0x1, "MAP_SHARED"},
                             {0xf, "0xf /* MAP_??? */"},
                             {0x3 | 0x100000, "MAP_SHARED_VALIDATE|MAP_FIXED_NOREPLACE"},
                             {0x22 | (21ull << 26), "MAP_PRIVATE|MAP_ANONYMOUS|21<<MAP_HUGE_SHIFT"}});
}

TEST_CASE("enums: clock ids, arch_prctl codes, rlimit resources, lseek whence, fcntl commands, errno names") {
    check_table(clock_id, {{0, "CLOCK_REALTIME"}, {1, "CLOCK_MONOTONIC"}, {4, "CLOCK_MONOTONIC_RAW"}, {7, "CLOCK_BOOTTIME"},
                           {11, "CLOCK_TAI"}, {12, "0xc /* CLOCK_??? */"}, {uint64_t(-3), "0xfffffffd /* CLOCK_??? */"}});
    check_table(arch_prctl_code, {{0x1002, "ARCH_SET_FS"}, {0x1003, "ARCH_GET_FS"}, {0x1011, "ARCH_GET_CPUID"},
                                  {0x2003, "ARCH_MAP_VDSO_64"}, {0x3001, "0x3001 /* ARCH_??? */"}});
    check_table(rlimit_resource, {{3, "RLIMIT_STACK"}, {7, "RLIMIT_NOFILE"}, {15, "RLIMIT_RTTIME"}, {16, "0x10 /* RLIMIT_??? */"}});
    check_table(rlim_value, {{1024, "1024"}, {4096, "4*1024"}, {8388608, "8192*1024"}, {3000, "3000"}, {~0ull, "RLIM64_INFINITY"}, {0, "0"}});
    check_table(lseek_whence, {{0, "SEEK_SET"}, {1, "SEEK_CUR"}, {2, "SEEK_END"}, {9, "0x9 /* SEEK_??? */"}});
    check_table(fcntl_cmd, {{1, "F_GETFD"}, {2, "F_SETFD"}, {4, "F_SETFL"}, {1030, "F_DUPFD_CLOEXEC"}});
    check_table(getrandom_flags, {{0, "0"}, {1, "GRND_NONBLOCK"}, {15, "GRND_NONBLOCK|GRND_RANDOM|GRND_INSECURE|0x8"}});
    CHECK(errno_name(2) == "ENOENT");
    CHECK(errno_name(38) == "ENOSYS");
    CHECK(errno_name(4000).empty());
}

TEST_CASE("structures from guest memory: timespec, rlimit, stat; the address when unreadable") {
    auto read = reader({{0x1000, words({1796332738, 785775633})},
                        {0x2000, words({8192 * 1024, ~0ull})},
                        {0x3000, words({0, 0, 1, 0100644, 0, 0, 1234})},
                        {0x4000, words({0, 0, 1, 020620, 0, (0x88 << 8) | 1, 0})},
                        {0x5000, std::string(12, '\0')}});  // shorter than the structure
    CHECK(timespec_at(read, 0x1000) == "{tv_sec=1796332738, tv_nsec=785775633}");
    CHECK(rlimit_at(read, 0x2000) == "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}");
    CHECK(stat_at(read, 0x3000) == "{st_mode=S_IFREG|0644, st_size=1234, ...}");
    CHECK(stat_at(read, 0x4000) == "{st_mode=S_IFCHR|0620, st_rdev=makedev(0x88, 0x1), ...}");
    CHECK(timespec_at(read, 0x5000) == "0x5000");
    CHECK(timespec_at(read, 0xdead0000) == "0xdead0000");
    CHECK(rlimit_at(read, 0) == "NULL");
}

TEST_CASE("whole lines as strace prints them, outputs only after a successful call, results lined up") {
    auto read = reader({{0x401000, std::string("/etc/motd\0", 10)},
                        {0x402000, words({1796332738, 785775633})},
                        {0x403000, words({8192 * 1024, ~0ull})},
                        {0x404000, std::string("\x2f\xfc\x83\xdc", 4)},
                        {0x405000, std::string("a\1\200\377\"\\\t z\n\0", 11)},
                        {0x406000, std::string("\0011", 2)}});
    const uint64_t cwd = uint64_t(-100);
    CHECK(format_syscall({257, {cwd, 0x401000, 02000000, 0, 0, 0}}, 3, read) == "openat(AT_FDCWD, \"/etc/motd\", O_RDONLY|O_CLOEXEC) = 3");
    CHECK(format_syscall({257, {cwd, 0x401000, 01101, 0666, 0, 0}}, -2, read) ==
          "openat(AT_FDCWD, \"/etc/motd\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = -1 ENOENT (No such file or directory)");
    CHECK(format_syscall({9, {0, 8192, 3, 0x22, uint64_t(-1), 0}}, 0x7f0000001000, read) ==
          "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000001000");
    CHECK(format_syscall({9, {0, 4096, 1, 0x812, 3, 0x28000}}, -22, read) ==
          "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x28000) = -1 EINVAL (Invalid argument)");
    CHECK(format_syscall({12, {0}}, 0x4c8000, read) == "brk(NULL) = 0x4c8000");
    CHECK(format_syscall({228, {0, 0x402000}}, 0, read) == "clock_gettime(CLOCK_REALTIME, {tv_sec=1796332738, tv_nsec=785775633}) = 0");
    CHECK(format_syscall({228, {12, 0x402000}}, -22, read) == "clock_gettime(0xc /* CLOCK_??? */, 0x402000) = -1 EINVAL (Invalid argument)");
    CHECK(format_syscall({158, {0x1002, 0x4c83c0}}, 0, read) == "arch_prctl(ARCH_SET_FS, 0x4c83c0) = 0");
    CHECK(format_syscall({158, {0x1003, 0x403000}}, 0, read) == "arch_prctl(ARCH_GET_FS, [0x800000]) = 0");
    CHECK(format_syscall({158, {0x1003, 0}}, -14, read) == "arch_prctl(ARCH_GET_FS, NULL) = -1 EFAULT (Bad address)");
    CHECK(format_syscall({158, {0x3001, 0}}, -22, read) == "arch_prctl(0x3001 /* ARCH_??? */, 0) = -1 EINVAL (Invalid argument)");
    CHECK(format_syscall({302, {0, 3, 0, 0x403000}}, 0, read) ==
          "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0");
    CHECK(format_syscall({302, {0, 7, 0x403000, 0}}, -1, read) ==
          "prlimit64(0, RLIMIT_NOFILE, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}, NULL) = -1 EPERM (Operation not permitted)");
    CHECK(format_syscall({318, {0x404000, 4, 1}}, 4, read) == "getrandom(\"\\x2f\\xfc\\x83\\xdc\", 4, GRND_NONBLOCK) = 4");
    CHECK(format_syscall({1, {1, 0x405000, 11}}, 11, read) == "write(1, \"a\\1\\200\\377\\\"\\\\\\t z\\n\\0\", 11) = 11");
    CHECK(format_syscall({1, {1, 0x406000, 2}}, 2, read) == "write(1, \"\\0011\", 2) = 2");  // three digits before a digit
    CHECK(format_syscall({8, {0, 0, 2}}, 0, read) == "lseek(0, 0, SEEK_END) = 0");
    CHECK(format_syscall({8, {3, uint64_t(-5), 1}}, 17, read) == "lseek(3, -5, SEEK_CUR) = 17");
    // An int argument is its low 32 bits, as the kernel reads it: glibc leaves mmap's fd -1 as 0xffffffff.
    CHECK(format_syscall({9, {0, 4096, 1, 0x22, 0xffffffff, 0}}, 0x7f0000001000, read) ==
          "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000001000");
    CHECK(format_syscall({16, {1, 0x5401, 0x7ffe0000}}, -25, read) ==
          "ioctl(1, TCGETS, 0x7ffe0000) = -1 ENOTTY (Inappropriate ioctl for device)");
    CHECK(format_syscall({334, {0x4adca0, 0x20, 0, 0x53053053}}, -38, read) ==
          "rseq(0x4adca0, 0x20, 0, 0x53053053) = -1 ENOSYS (Function not implemented)");
    CHECK(format_syscall({72, {1, 2, 1}}, 0, read) == "fcntl(1, F_SETFD, FD_CLOEXEC) = 0");
    CHECK(format_syscall({72, {1, 1, 77}}, 0, read) == "fcntl(1, F_GETFD) = 0");
    CHECK(format_syscall({292, {1, 9, 02000000}}, 9, read) == "dup3(1, 9, O_CLOEXEC) = 9");
    CHECK(format_syscall({13, {2, 0, 0, 8}}, 0, read) == "rt_sigaction(SIGINT, NULL, NULL, 8) = 0");
    // Signals (decoded for rt_sigaction and rt_sigprocmask, which lstar's kernel may not have yet).
    auto sig = reader({{0x501000, words({0x401000, 0x04000000 | 0x10000000 | 0x08000000 | 4 | 1 | 2 | 0x40000000 | 0x80000000 | 0x20,
                                         0x401100, (1ull << 1) | (1ull << 14) | (1ull << 33)})},
                       {0x502000, words({1, 0x04000000, 0x401100, 0})},
                       {0x503000, words({0, 0, 0, 0})},
                       {0x504000, words({0, 0x14000000, 0x401100, ~0ull})},
                       {0x505000, words({(1ull << 1) | (1ull << 9)})},
                       {0x506000, words({0})}});
    CHECK(format_syscall({13, {2, 0x501000, 0x503000, 8}}, 0, sig) ==
          "rt_sigaction(SIGINT, {sa_handler=0x401000, sa_mask=[INT TERM RT_2], sa_flags=SA_RESTORER|SA_ONSTACK|SA_RESTART|"
          "SA_NODEFER|SA_RESETHAND|SA_SIGINFO|SA_NOCLDSTOP|SA_NOCLDWAIT|0x20, sa_restorer=0x401100}, "
          "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0");
    CHECK(format_syscall({13, {15, 0x502000, 0x503000, 8}}, 0, sig) ==
          "rt_sigaction(SIGTERM, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x401100}, "
          "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0");
    CHECK(format_syscall({13, {99, 0x504000, 0, 8}}, -22, sig) ==
          "rt_sigaction(99, {sa_handler=SIG_DFL, sa_mask=~[], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x401100}, "
          "NULL, 8) = -1 EINVAL (Invalid argument)");
    CHECK(format_syscall({14, {0, 0x505000, 0x506000, 8}}, 0, sig) == "rt_sigprocmask(SIG_BLOCK, [INT USR1], [], 8) = 0");
    CHECK(format_syscall({14, {7, 0, 0, 8}}, 0, sig) == "rt_sigprocmask(0x7 /* SIG_??? */, NULL, NULL, 8) = 0");
    CHECK(format_syscall({62, {1, 9}}, 0, sig) == "kill(1, SIGKILL) = 0");
    // Hostile arguments: an unmapped string prints as its address, an unknown call as hex.
    CHECK(format_syscall({257, {cwd, 0xdead000, 0, 0, 0, 0}}, -14, read) ==
          "openat(AT_FDCWD, 0xdead000, O_RDONLY) = -1 EFAULT (Bad address)");
    // strace's column: " = " at column 39, counting a -tt prefix.
    CHECK(format_syscall({12, {0}}, 0x4c8000, read, 0) == "brk(NULL)                               = 0x4c8000");
    CHECK(format_syscall({12, {0}}, 0x4c8000, read, 16) == "brk(NULL)               = 0x4c8000");
}

TEST_CASE("-t, -tt, -ttt prefixes and -T's seconds") {
    CHECK(timestamp_prefix(0, 1796332738123456789ull).empty());
    CHECK(timestamp_prefix(3, 1796332738123456789ull) == "1796332738.123456 ");
    CHECK(timestamp_prefix(2, 1796332738123456789ull).size() == std::string("21:17:11.510856 ").size());
    CHECK(timestamp_prefix(2, 1796332738123456789ull).substr(8) == ".123456 ");
    CHECK(timestamp_prefix(1, 1796332738123456789ull).size() == std::string("21:17:11 ").size());
    CHECK(seconds_text(44000) == "0.000044");
    CHECK(seconds_text(3951234567ull) == "3.951234");
}

TEST_CASE("-c: strace's table, by time then by number, errors blank when none") {
    SyscallStats s;
    s.add(1, "write", 10000, false);
    s.add(12, "brk", 2000, false);
    s.add(12, "brk", 2000, false);
    s.add(257, "openat", 4000, true);
    s.add(0, "read", 2000, false);
    CHECK(s.table() ==
          "% time     seconds  usecs/call     calls    errors syscall\n"
          "------ ----------- ----------- --------- --------- ----------------\n"
          " 50.00    0.000010          10         1           write\n"
          " 20.00    0.000004           2         2           brk\n"
          " 20.00    0.000004           4         1         1 openat\n"
          " 10.00    0.000002           2         1           read\n"
          "------ ----------- ----------- --------- --------- ----------------\n"
          "100.00    0.000020           4         5         1 total\n");
}

TEST_CASE("-e: names, classes, all/none, negation; bad names refused with what is accepted") {
    auto nr = [](const char* name) -> uint64_t {
        for (uint64_t n = 0; n < 1024; ++n)
            if (const char* s = syscall_name(n); s && std::string(s) == name) return n;
        return ~0ull;
    };
    auto only = cli::parse_syscall_filter({"trace=openat,read"});
    CHECK(only[nr("openat")]);
    CHECK(only[nr("read")]);
    CHECK_FALSE(only[nr("write")]);
    only = cli::parse_syscall_filter({"%memory"});
    CHECK(only[nr("mmap")]);
    CHECK(only[nr("brk")]);
    CHECK_FALSE(only[nr("openat")]);
    only = cli::parse_syscall_filter({"trace=%file", "t=write"});
    CHECK(only[nr("openat")]);
    CHECK(only[nr("newfstatat")]);
    CHECK(only[nr("write")]);
    CHECK_FALSE(only[nr("read")]);
    only = cli::parse_syscall_filter({"trace=!write"});
    CHECK(only[nr("read")]);
    CHECK_FALSE(only[nr("write")]);
    CHECK(cli::parse_syscall_filter({"desc"})[nr("close")]);  // strace's older spelling
    for (const auto& cls : syscall_classes()) {
        CAPTURE(cls);
        CHECK_FALSE(syscalls_in_class(cls).empty());
        for (auto name : syscalls_in_class(cls)) {
            CAPTURE(name);
            CHECK(nr(std::string(name).c_str()) != ~0ull);  // every member is an x86-64 call
        }
    }
    auto error = [](std::vector<std::string> e) {
        try {
            cli::parse_syscall_filter(e);
        } catch (const cli::UsageError& u) {
            return std::string(u.what());
        }
        return std::string("accepted");
    };
    CHECK(error({"trace=opnat"}).find("'opnat' is not an x86-64 system call name; did you mean openat") != std::string::npos);
    CHECK(error({"trace=%files"}).find("did you mean %file") != std::string::npos);
    CHECK(error({"trace=%files"}).find("%memory") != std::string::npos);
    CHECK(error({"signal=SIGINT"}).find("lstar takes only trace=") != std::string::npos);
    CHECK(error({"trace=read,"}).find("an empty name") != std::string::npos);
}
