// Values of Linux's x86-64 user ABI that system call arguments carry across the VM boundary (open
// flags, mmap prot and flags, arch_prctl codes, rlimit resources, AT_* flags), named once here
// from include/uapi (asm-generic/fcntl.h, asm-generic/mman-common.h, asm/prctl.h,
// asm-generic/resource.h, linux/fcntl.h). The monitor's strace lines decode them (vmm/trace/).
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

}  // namespace lstar::uapi
