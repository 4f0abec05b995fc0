#include "trace/syscall_decode.hpp"

#include <cstdio>
#include <csignal>
#include <cstring>
#include <initializer_list>

#include "common/hex.hpp"
#include "linux_uapi.hpp"
#include "trace/syscall_decode_util.hpp"
#include "vdso_datapage.hpp"

namespace lstar::trace {

using namespace lstar::uapi;
using decode::Bit;
using decode::bit_names;
using decode::enum_name;
using decode::read_words;
using decode::address;

std::string decode::bit_names(uint64_t v, std::initializer_list<Bit> bits, std::string head, const char* unknown) {
    std::string s = std::move(head);
    for (const auto& b : bits)
        if (b.value && (v & b.value) == b.value) {
            s += (s.empty() ? "" : "|") + std::string(b.name);
            v &= ~b.value;
        }
    if (s.empty() && v && unknown) return hex(v) + " /* " + unknown + " */";
    if (v || s.empty()) s += (s.empty() ? "" : "|") + (v ? hex(v) : std::string("0"));
    return s;
}

std::string decode::enum_name(uint64_t v, const char* const* names, size_t n, const char* unknown) {
    if (v < n && names[v]) return names[v];
    return hex(v) + " /* " + unknown + " */";
}

std::string decode::value_name(uint64_t v, std::initializer_list<Bit> names, const char* unknown) {
    for (const auto& n : names)
        if (n.value == v) return n.name;
    return hex(v) + " /* " + unknown + " */";
}

std::string open_flags(uint64_t f) {
    static const char* const modes[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
    return bit_names(f & ~O_ACCMODE,
                     {{O_CREAT, "O_CREAT"}, {O_EXCL, "O_EXCL"}, {O_NOCTTY, "O_NOCTTY"}, {O_TRUNC, "O_TRUNC"},
                      {O_APPEND, "O_APPEND"}, {O_NONBLOCK, "O_NONBLOCK"}, {O_SYNC, "O_SYNC"}, {O_DSYNC, "O_DSYNC"},
                      {O_DIRECT, "O_DIRECT"}, {O_LARGEFILE, "O_LARGEFILE"}, {O_NOFOLLOW, "O_NOFOLLOW"},
                      {O_NOATIME, "O_NOATIME"}, {O_CLOEXEC, "O_CLOEXEC"}, {O_PATH, "O_PATH"}, {O_TMPFILE, "O_TMPFILE"},
                      {O_DIRECTORY, "O_DIRECTORY"}, {O_ASYNC, "FASYNC"}, {O_TMPFILE & ~O_DIRECTORY, "__O_TMPFILE"}},
                     modes[f & O_ACCMODE]);
}

std::string fd_flags(uint64_t f) {
    return bit_names(f & 0xffffffff, {{O_NONBLOCK, "O_NONBLOCK"}, {O_DIRECT, "O_DIRECT"}, {O_CLOEXEC, "O_CLOEXEC"}});
}

bool open_takes_mode(uint64_t f) { return (f & O_CREAT) || (f & (O_TMPFILE & ~O_DIRECTORY)); }

std::string file_mode(uint64_t mode) {
    char b[32];
    std::snprintf(b, sizeof b, "%#03llo", (unsigned long long)(mode & 0xffffffff));
    return b;
}

std::string dirfd(uint64_t fd) {
    if (int32_t(fd) == AT_FDCWD) return "AT_FDCWD";
    return std::to_string(int32_t(fd));
}

std::string at_flags(uint64_t f) {
    return bit_names(f & 0xffffffff, {{AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"}, {AT_REMOVEDIR, "AT_REMOVEDIR"},
                                      {AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW"}, {AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"},
                                      {AT_EMPTY_PATH, "AT_EMPTY_PATH"}});
}

std::string mmap_prot(uint64_t p) {
    if ((p & 0xffffffff) == PROT_NONE) return "PROT_NONE";
    return bit_names(p & 0xffffffff, {{PROT_READ, "PROT_READ"}, {PROT_WRITE, "PROT_WRITE"}, {PROT_EXEC, "PROT_EXEC"},
                                      {PROT_SEM, "PROT_SEM"}, {PROT_GROWSDOWN, "PROT_GROWSDOWN"},
                                      {PROT_GROWSUP, "PROT_GROWSUP"}});
}

std::string mmap_flags(uint64_t f) {
    f &= 0xffffffff;
    static const char* const types[] = {nullptr, "MAP_SHARED", "MAP_PRIVATE", "MAP_SHARED_VALIDATE"};
    const uint64_t type = f & MAP_TYPE;
    std::string head = enum_name(type, types, 4, "MAP_???");
    constexpr unsigned kHugeShift = 26;  // MAP_HUGE_SHIFT: a huge page size's log2 in bits 26-31
    const uint64_t huge = f >> kHugeShift;
    std::string s = bit_names(f & ~MAP_TYPE & ((1ull << kHugeShift) - 1),
                              {{MAP_FIXED, "MAP_FIXED"}, {MAP_ANONYMOUS, "MAP_ANONYMOUS"}, {MAP_32BIT, "MAP_32BIT"},
                               {MAP_NORESERVE, "MAP_NORESERVE"}, {MAP_POPULATE, "MAP_POPULATE"},
                               {MAP_NONBLOCK, "MAP_NONBLOCK"}, {MAP_GROWSDOWN, "MAP_GROWSDOWN"},
                               {MAP_DENYWRITE, "MAP_DENYWRITE"}, {MAP_EXECUTABLE, "MAP_EXECUTABLE"},
                               {MAP_LOCKED, "MAP_LOCKED"}, {MAP_STACK, "MAP_STACK"}, {MAP_HUGETLB, "MAP_HUGETLB"},
                               {MAP_SYNC, "MAP_SYNC"}, {MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"}},
                              head);
    if (huge) s += "|" + std::to_string(huge) + "<<MAP_HUGE_SHIFT";
    return s;
}

std::string clock_id(uint64_t id) {
    static const char* const names[] = {"CLOCK_REALTIME",         "CLOCK_MONOTONIC",        "CLOCK_PROCESS_CPUTIME_ID",
                                        "CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW",    "CLOCK_REALTIME_COARSE",
                                        "CLOCK_MONOTONIC_COARSE",  "CLOCK_BOOTTIME",         "CLOCK_REALTIME_ALARM",
                                        "CLOCK_BOOTTIME_ALARM",    "CLOCK_SGI_CYCLE",        "CLOCK_TAI"};
    static_assert(vdso::CLOCK_TAI == 11 && vdso::CLOCK_BOOTTIME == 7, "the table above follows linux/time.h");
    return enum_name(id & 0xffffffff, names, std::size(names), "CLOCK_???");
}

std::string arch_prctl_code(uint64_t code) {
    static constexpr Bit names[] = {
        {ARCH_SET_GS, "ARCH_SET_GS"},
        {ARCH_SET_FS, "ARCH_SET_FS"},
        {ARCH_GET_FS, "ARCH_GET_FS"},
        {ARCH_GET_GS, "ARCH_GET_GS"},
        {ARCH_GET_CPUID, "ARCH_GET_CPUID"},
        {ARCH_SET_CPUID, "ARCH_SET_CPUID"},
        {ARCH_GET_XCOMP_SUPP, "ARCH_GET_XCOMP_SUPP"},
        {ARCH_GET_XCOMP_PERM, "ARCH_GET_XCOMP_PERM"},
        {ARCH_REQ_XCOMP_PERM, "ARCH_REQ_XCOMP_PERM"},
        {ARCH_GET_XCOMP_GUEST_PERM, "ARCH_GET_XCOMP_GUEST_PERM"},
        {ARCH_REQ_XCOMP_GUEST_PERM, "ARCH_REQ_XCOMP_GUEST_PERM"},
        {ARCH_MAP_VDSO_X32, "ARCH_MAP_VDSO_X32"},
        {ARCH_MAP_VDSO_32, "ARCH_MAP_VDSO_32"},
        {ARCH_MAP_VDSO_64, "ARCH_MAP_VDSO_64"},
    };
    for (const auto& n : names)
        if (n.value == (code & 0xffffffff)) return n.name;
    return hex(code & 0xffffffff) + " /* ARCH_??? */";
}

std::string rlimit_resource(uint64_t r) {
    static const char* const names[] = {"RLIMIT_CPU",     "RLIMIT_FSIZE",  "RLIMIT_DATA",       "RLIMIT_STACK",
                                        "RLIMIT_CORE",    "RLIMIT_RSS",    "RLIMIT_NPROC",      "RLIMIT_NOFILE",
                                        "RLIMIT_MEMLOCK", "RLIMIT_AS",     "RLIMIT_LOCKS",      "RLIMIT_SIGPENDING",
                                        "RLIMIT_MSGQUEUE", "RLIMIT_NICE",  "RLIMIT_RTPRIO",     "RLIMIT_RTTIME"};
    static_assert(std::size(names) == RLIM_NLIMITS);
    return enum_name(r & 0xffffffff, names, std::size(names), "RLIMIT_???");
}

std::string rlim_value(uint64_t v) {
    if (v == RLIM64_INFINITY) return "RLIM64_INFINITY";
    if (v > 1024 && v % 1024 == 0) return std::to_string(v / 1024) + "*1024";
    return std::to_string(v);
}

std::string getrandom_flags(uint64_t f) {
    return bit_names(f & 0xffffffff,
                     {{GRND_NONBLOCK, "GRND_NONBLOCK"}, {GRND_RANDOM, "GRND_RANDOM"}, {GRND_INSECURE, "GRND_INSECURE"}});
}

std::string lseek_whence(uint64_t w) {
    static const char* const names[] = {"SEEK_SET", "SEEK_CUR", "SEEK_END", "SEEK_DATA", "SEEK_HOLE"};
    return enum_name(w & 0xffffffff, names, std::size(names), "SEEK_???");
}

std::string fcntl_cmd(uint64_t cmd) {
    static const char* const names[] = {"F_DUPFD", "F_GETFD", "F_SETFD", "F_GETFL", "F_SETFL",
                                        "F_GETLK", "F_SETLK", "F_SETLKW", "F_SETOWN", "F_GETOWN"};
    if ((cmd & 0xffffffff) == F_DUPFD_CLOEXEC) return "F_DUPFD_CLOEXEC";
    return enum_name(cmd & 0xffffffff, names, std::size(names), "F_???");
}

std::string ioctl_request(uint64_t req) {
    // The terminal requests a C library makes on its standard streams (asm-generic/ioctls.h).
    static constexpr Bit names[] = {
        {0x5401, "TCGETS"},     {0x5402, "TCSETS"},   {0x5403, "TCSETSW"},  {0x5404, "TCSETSF"},
        {0x540f, "TIOCGPGRP"},  {0x5410, "TIOCSPGRP"}, {0x5413, "TIOCGWINSZ"}, {0x5414, "TIOCSWINSZ"},
        {0x541b, "FIONREAD"},   {0x5421, "FIONBIO"},  {0x5450, "FIONCLEX"}, {0x5451, "FIOCLEX"},
    };
    for (const auto& n : names)
        if (n.value == (req & 0xffffffff)) return n.name;
    return hex(req & 0xffffffff);
}

std::string signal_name(uint64_t sig) {
    sig &= 0xffffffff;
    if (sig >= 32 && sig <= 64) return "SIGRT_" + std::to_string(sig - 32);
    const char* abbrev = sig > 0 && sig < 32 ? sigabbrev_np(int(sig)) : nullptr;
    return abbrev ? "SIG" + std::string(abbrev) : std::to_string(int32_t(sig));
}

std::string sigset_text(uint64_t set) {
    // strace prints the shorter side: the signals in the set, or "~[...]" with the ones not in it.
    const bool inverted = __builtin_popcountll(set) > 32;
    if (inverted) set = ~set;
    std::string s = inverted ? "~[" : "[";
    bool first = true;
    for (unsigned bit = 0; bit < 64; ++bit)
        if (set & (1ull << bit)) {
            s += (first ? "" : " ") + signal_name(bit + 1).substr(3);
            first = false;
        }
    return s + "]";
}

std::string sigprocmask_how(uint64_t how) {
    static const char* const names[] = {"SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK"};
    return enum_name(how & 0xffffffff, names, std::size(names), "SIG_???");
}

std::string errno_name(int64_t err) {
    const char* n = err > 0 && err < 4096 ? strerrorname_np(int(err)) : nullptr;
    return n ? n : "";
}

bool decode::read_words(const MemReader& read, uint64_t va, uint64_t* out, size_t n) {
    auto b = read(va, n * 8);
    if (!b || b->size() < n * 8) return false;
    std::memcpy(out, b->data(), n * 8);
    return true;
}

bool decode::read_ints(const MemReader& read, uint64_t va, uint32_t* out, size_t n) {
    auto b = read(va, n * 4);
    if (!b || b->size() < n * 4) return false;
    std::memcpy(out, b->data(), n * 4);
    return true;
}

std::string decode::address(uint64_t va) { return va ? hex(va) : "NULL"; }

std::string timespec_at(const MemReader& read, uint64_t va) {
    uint64_t w[2];
    if (!va || !read_words(read, va, w, 2)) return address(va);
    return "{tv_sec=" + std::to_string(int64_t(w[0])) + ", tv_nsec=" + std::to_string(int64_t(w[1])) + "}";
}

std::string rlimit_at(const MemReader& read, uint64_t va) {
    uint64_t w[2];
    if (!va || !read_words(read, va, w, 2)) return address(va);
    return "{rlim_cur=" + rlim_value(w[0]) + ", rlim_max=" + rlim_value(w[1]) + "}";
}

std::string sigset_at(const MemReader& read, uint64_t va) {
    uint64_t w;
    if (!va || !read_words(read, va, &w, 1)) return address(va);
    return sigset_text(w);
}

std::string sigaction_at(const MemReader& read, uint64_t va) {
    // struct kernel_sigaction (x86-64): handler, flags, restorer, mask.
    uint64_t w[4];
    if (!va || !read_words(read, va, w, 4)) return address(va);
    constexpr uint64_t kRestorer = 0x04000000;
    const std::string handler = w[0] == 0 ? "SIG_DFL" : w[0] == 1 ? "SIG_IGN" : hex(w[0]);
    const std::string flags = bit_names(w[1] & 0xffffffff, {{kRestorer, "SA_RESTORER"}, {0x08000000, "SA_ONSTACK"},
                                                            {0x10000000, "SA_RESTART"}, {0x40000000, "SA_NODEFER"},
                                                            {0x80000000, "SA_RESETHAND"}, {4, "SA_SIGINFO"},
                                                            {1, "SA_NOCLDSTOP"}, {2, "SA_NOCLDWAIT"}});
    std::string s = "{sa_handler=" + handler + ", sa_mask=" + sigset_text(w[3]) + ", sa_flags=" + flags;
    if (w[1] & kRestorer) s += ", sa_restorer=" + hex(w[2]);
    return s + "}";
}

std::string mode_with_type(uint64_t mode) {
    static constexpr struct {
        uint32_t type;
        const char* name;
    } types[] = {{S_IFSOCK, "S_IFSOCK"}, {S_IFLNK, "S_IFLNK"}, {S_IFREG, "S_IFREG"}, {S_IFBLK, "S_IFBLK"},
                 {S_IFDIR, "S_IFDIR"},   {S_IFCHR, "S_IFCHR"}, {S_IFIFO, "S_IFIFO"}};
    const auto m = uint32_t(mode);
    for (const auto& t : types)
        if ((m & S_IFMT) == t.type) return std::string(t.name) + "|" + file_mode(m & 07777);
    return file_mode(m);
}

bool is_device(uint64_t mode) { return (mode & S_IFMT) == S_IFCHR || (mode & S_IFMT) == S_IFBLK; }

std::string makedev_text(uint64_t dev) {
    // Linux's new_encode_dev: major in bits 8-19, minor in 0-7 and 20-31
    const uint64_t major = (dev >> 8) & 0xfff, minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
    return "makedev(" + hex(major) + ", " + hex(minor) + ")";
}

std::string stat_at(const MemReader& read, uint64_t va) {
    // struct stat (x86-64): st_mode at 24 (32 bits), st_rdev at 40, st_size at 48.
    uint64_t w[7];
    if (!va || !read_words(read, va, w, 7)) return address(va);
    const auto mode = uint32_t(w[3]);
    std::string s = "{st_mode=" + mode_with_type(mode);
    if (is_device(mode))
        s += ", st_rdev=" + makedev_text(w[5]);
    else
        s += ", st_size=" + std::to_string(int64_t(w[6]));
    return s + ", ...}";
}

}  // namespace lstar::trace
