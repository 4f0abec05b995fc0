// Values of Linux's x86-64 user ABI that system call arguments carry across the VM boundary (open
// flags, mmap prot and flags, arch_prctl codes, rlimit resources, AT_* flags), named once here
// from include/uapi (asm-generic/fcntl.h, asm-generic/mman-common.h, asm/prctl.h,
// asm-generic/resource.h, linux/fcntl.h), and the process and mount calls' (linux/mount.h, linux/sched.h,
// linux/wait.h, linux/prctl.h, linux/reboot.h). The monitor's strace lines decode them (vmm/trace/).
// Clock ids are in vdso_datapage.hpp. Plain C++ with no dependencies.
#pragma once
#include <cstdint>

namespace lstar::uapi {

// open(2), openat(2): octal, as the headers write them. The access mode is the low two bits.
inline constexpr uint64_t O_ACCMODE = 03, O_RDONLY = 0, O_WRONLY = 01, O_RDWR = 02, O_CREAT = 0100, O_EXCL = 0200,
                          O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000, O_DSYNC = 010000,
                          O_ASYNC = 020000, O_DIRECT = 040000, O_LARGEFILE = 0100000, O_DIRECTORY = 0200000,
                          O_NOFOLLOW = 0400000, O_NOATIME = 01000000, O_CLOEXEC = 02000000, O_SYNC = 04010000,
                          O_PATH = 010000000, O_TMPFILE = 020200000;
inline constexpr int64_t AT_FDCWD = -100;
inline constexpr uint64_t AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400,
                          AT_NO_AUTOMOUNT = 0x800, AT_EMPTY_PATH = 0x1000;

// mmap(2), mprotect(2).
inline constexpr uint64_t PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, PROT_SEM = 8,
                          PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;
inline constexpr uint64_t MAP_TYPE = 0x0f, MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_SHARED_VALIDATE = 3,
                          MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_32BIT = 0x40, MAP_GROWSDOWN = 0x100,
                          MAP_DENYWRITE = 0x800, MAP_EXECUTABLE = 0x1000, MAP_LOCKED = 0x2000,
                          MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000, MAP_NONBLOCK = 0x10000, MAP_STACK = 0x20000,
                          MAP_HUGETLB = 0x40000, MAP_SYNC = 0x80000, MAP_FIXED_NOREPLACE = 0x100000,
                          MAP_UNINITIALIZED = 0x4000000;

// arch_prctl(2) codes (asm/prctl.h).
inline constexpr uint64_t ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004,
                          ARCH_GET_CPUID = 0x1011, ARCH_SET_CPUID = 0x1012, ARCH_GET_XCOMP_SUPP = 0x1021,
                          ARCH_GET_XCOMP_PERM = 0x1022, ARCH_REQ_XCOMP_PERM = 0x1023,
                          ARCH_GET_XCOMP_GUEST_PERM = 0x1024, ARCH_REQ_XCOMP_GUEST_PERM = 0x1025,
                          ARCH_MAP_VDSO_X32 = 0x2001, ARCH_MAP_VDSO_32 = 0x2002, ARCH_MAP_VDSO_64 = 0x2003,
                          ARCH_SHSTK_ENABLE = 0x5001, ARCH_SHSTK_DISABLE = 0x5002, ARCH_SHSTK_LOCK = 0x5003,
                          ARCH_SHSTK_UNLOCK = 0x5004, ARCH_SHSTK_STATUS = 0x5005;

// Resource limits (asm-generic/resource.h): getrlimit, setrlimit, prlimit64. RLIM64_INFINITY is ~0.
enum Rlimit : unsigned {
    RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4, RLIMIT_RSS = 5,
    RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9, RLIMIT_LOCKS = 10,
    RLIMIT_SIGPENDING = 11, RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13, RLIMIT_RTPRIO = 14, RLIMIT_RTTIME = 15,
    RLIM_NLIMITS = 16,
};
inline constexpr uint64_t RLIM64_INFINITY = ~0ull;

// getrandom(2) flags.
inline constexpr uint64_t GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;

// fcntl(2) commands and the one file-descriptor flag.
inline constexpr uint64_t F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5,
                          F_SETLK = 6, F_SETLKW = 7, F_SETOWN = 8, F_GETOWN = 9, F_DUPFD_CLOEXEC = 1030,
                          FD_CLOEXEC = 1;

// The file type bits of st_mode (linux/stat.h).
inline constexpr uint32_t S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000,
                          S_IFBLK = 060000, S_IFDIR = 040000, S_IFCHR = 020000, S_IFIFO = 010000;

// mount(2) flags (linux/mount.h), umount2(2) flags, renameat2(2) flags.
inline constexpr uint64_t MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_SYNCHRONOUS = 16,
                          MS_REMOUNT = 32, MS_MANDLOCK = 64, MS_DIRSYNC = 128, MS_NOSYMFOLLOW = 256,
                          MS_NOATIME = 1024, MS_NODIRATIME = 2048, MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384,
                          MS_SILENT = 32768, MS_POSIXACL = 1 << 16, MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18,
                          MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20, MS_RELATIME = 1 << 21, MS_KERNMOUNT = 1 << 22,
                          MS_I_VERSION = 1 << 23, MS_STRICTATIME = 1 << 24, MS_LAZYTIME = 1 << 25,
                          MS_SUBMOUNT = 1 << 26, MS_NOREMOTELOCK = 1 << 27, MS_NOSEC = 1 << 28, MS_BORN = 1 << 29,
                          MS_ACTIVE = 1 << 30, MS_NOUSER = 1ull << 31, MS_MGC_VAL = 0xc0ed0000, MS_MGC_MSK = 0xffff0000;
inline constexpr uint64_t MNT_FORCE = 1, MNT_DETACH = 2, MNT_EXPIRE = 4, UMOUNT_NOFOLLOW = 8;
// The C library's headers (<cstdio>, <cstdlib>, <sched.h>, <time.h>, pulled in by the C++ ones) define
// RENAME_*, W*, CLONE_* and TIMER_ABSTIME as macros: those are named here without their prefix.
namespace rename_flags {
inline constexpr uint64_t NOREPLACE = 1, EXCHANGE = 2, WHITEOUT = 4;
}

// reboot(2) (linux/reboot.h): the magic numbers and the commands.
inline constexpr uint32_t LINUX_REBOOT_MAGIC1 = 0xfee1dead, LINUX_REBOOT_MAGIC2 = 672274793,
                          LINUX_REBOOT_MAGIC2A = 85072278, LINUX_REBOOT_MAGIC2B = 369367448,
                          LINUX_REBOOT_MAGIC2C = 537993216;
inline constexpr uint32_t LINUX_REBOOT_CMD_RESTART = 0x01234567, LINUX_REBOOT_CMD_HALT = 0xcdef0123,
                          LINUX_REBOOT_CMD_CAD_ON = 0x89abcdef, LINUX_REBOOT_CMD_CAD_OFF = 0,
                          LINUX_REBOOT_CMD_POWER_OFF = 0x4321fedc, LINUX_REBOOT_CMD_RESTART2 = 0xa1b2c3d4,
                          LINUX_REBOOT_CMD_SW_SUSPEND = 0xd000fce2, LINUX_REBOOT_CMD_KEXEC = 0x45584543;

// clone(2) flags (linux/sched.h), CLONE_*; the low byte is the signal sent to the parent at exit (CSIGNAL).
namespace clone_flags {
inline constexpr uint64_t SIGNAL = 0xff, VM = 0x100, FS = 0x200, FILES = 0x400, SIGHAND = 0x800, PIDFD = 0x1000,
                          PTRACE = 0x2000, VFORK = 0x4000, PARENT = 0x8000, THREAD = 0x10000, NEWNS = 0x20000,
                          SYSVSEM = 0x40000, SETTLS = 0x80000, PARENT_SETTID = 0x100000, CHILD_CLEARTID = 0x200000,
                          DETACHED = 0x400000, UNTRACED = 0x800000, CHILD_SETTID = 0x1000000, NEWCGROUP = 0x2000000,
                          NEWUTS = 0x4000000, NEWIPC = 0x8000000, NEWUSER = 0x10000000, NEWPID = 0x20000000,
                          NEWNET = 0x40000000, IO = 0x80000000;
}

// wait4(2), waitid(2) options (linux/wait.h); WUNTRACED is WSTOPPED. waitid's id types.
namespace wait_options {  // W*, and __WNOTHREAD, __WALL, __WCLONE
inline constexpr uint64_t NOHANG = 1, STOPPED = 2, EXITED = 4, CONTINUED = 8, NOWAIT = 0x1000000,
                          NOTHREAD = 0x20000000, ALL = 0x40000000, CLONE = 0x80000000;
}
inline constexpr uint64_t P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3;

// prctl(2) options (linux/prctl.h) that strace decodes by name.
inline constexpr uint64_t PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4,
                          PR_GET_KEEPCAPS = 7, PR_SET_KEEPCAPS = 8, PR_SET_NAME = 15, PR_GET_NAME = 16,
                          PR_GET_SECCOMP = 21, PR_SET_SECCOMP = 22, PR_CAPBSET_READ = 23, PR_CAPBSET_DROP = 24,
                          PR_GET_TIMERSLACK = 30, PR_SET_TIMERSLACK = 29, PR_SET_CHILD_SUBREAPER = 36,
                          PR_GET_CHILD_SUBREAPER = 37, PR_SET_NO_NEW_PRIVS = 38, PR_GET_NO_NEW_PRIVS = 39;

// Sockets (linux/socket.h, linux/net.h): the type's flags above its low four bits.
inline constexpr uint64_t AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16, AF_PACKET = 17;
inline constexpr uint64_t SOCK_TYPE_MASK = 0xf, SOCK_NONBLOCK = O_NONBLOCK, SOCK_CLOEXEC = O_CLOEXEC;

// poll(2) events (asm-generic/poll.h); utimensat(2)'s special nanoseconds; clock_nanosleep's flag.
inline constexpr uint64_t POLLIN = 1, POLLPRI = 2, POLLOUT = 4, POLLERR = 8, POLLHUP = 0x10, POLLNVAL = 0x20,
                          POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100, POLLWRBAND = 0x200,
                          POLLMSG = 0x400, POLLREMOVE = 0x1000, POLLRDHUP = 0x2000;
inline constexpr int64_t UTIME_NOW = (1l << 30) - 1, UTIME_OMIT = (1l << 30) - 2;
namespace timer_flags {
inline constexpr uint64_t ABSTIME = 1;  // TIMER_ABSTIME
}

// statfs(2)'s f_flags (linux/statfs.h).
inline constexpr uint64_t ST_RDONLY = 1, ST_NOSUID = 2, ST_NODEV = 4, ST_NOEXEC = 8, ST_SYNCHRONOUS = 16,
                          ST_VALID = 32, ST_MANDLOCK = 64, ST_NOATIME = 0x400, ST_NODIRATIME = 0x800,
                          ST_RELATIME = 0x1000, ST_NOSYMFOLLOW = 0x2000;

}  // namespace lstar::uapi
