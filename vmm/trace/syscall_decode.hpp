// strace's words for the flags, enums and structures that system call arguments carry: open flags,
// mmap prot and flags, clock ids, arch_prctl codes, rlimit resources and values, AT_* flags,
// errno names, struct timespec / rlimit / stat. The values are named once in shared/linux_uapi.hpp
// (clock ids: shared/vdso_datapage.hpp); the spellings and their order are strace 6's. Structures
// are read from guest memory through a MemReader (bounded): unreadable ones print as the address,
// as strace does.
#pragma once
#include <cstdint>
#include <string>

#include "trace/syscall_format.hpp"

namespace lstar::trace {

std::string open_flags(uint64_t flags);     // "O_RDONLY|O_CLOEXEC", leftover bits as "|0x40000000"
std::string fd_flags(uint64_t flags);       // dup3, pipe2: "O_CLOEXEC", "O_NONBLOCK|O_CLOEXEC", "0"
bool open_takes_mode(uint64_t flags);       // O_CREAT or __O_TMPFILE: strace prints the mode argument
std::string file_mode(uint64_t mode);       // "0644", "000"
std::string dirfd(uint64_t fd);             // "AT_FDCWD" or the number
std::string at_flags(uint64_t flags);       // "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH", "0"
std::string mmap_prot(uint64_t prot);       // "PROT_READ|PROT_WRITE", "PROT_NONE"
std::string mmap_flags(uint64_t flags);     // "MAP_PRIVATE|MAP_ANONYMOUS"
std::string clock_id(uint64_t id);          // "CLOCK_MONOTONIC", "0xc /* CLOCK_??? */"
std::string arch_prctl_code(uint64_t code); // "ARCH_SET_FS", "0x3001 /* ARCH_??? */"
std::string rlimit_resource(uint64_t r);    // "RLIMIT_NOFILE", "0x10 /* RLIMIT_??? */"
std::string rlim_value(uint64_t v);         // "1024", "8192*1024", "RLIM64_INFINITY"
std::string getrandom_flags(uint64_t flags);
std::string lseek_whence(uint64_t whence);  // "SEEK_SET", "0x9 /* SEEK_??? */"
std::string fcntl_cmd(uint64_t cmd);        // "F_GETFD", "F_DUPFD_CLOEXEC"
std::string ioctl_request(uint64_t req);   // "TCGETS", "0x4020" for the ones not named here
std::string signal_name(uint64_t sig);     // "SIGINT", "SIGRT_2", "99"
std::string sigset_text(uint64_t set);     // "[INT TERM]", "[]", "~[]" (strace prints the shorter side)
std::string sigprocmask_how(uint64_t how); // "SIG_BLOCK", "0x7 /* SIG_??? */"
std::string errno_name(int64_t err);        // "ENOENT", "" when Linux has no name for it

// Structures at va in guest memory; the address (or NULL) when it cannot be read.
std::string timespec_at(const MemReader& read, uint64_t va);  // "{tv_sec=1, tv_nsec=2}"
std::string rlimit_at(const MemReader& read, uint64_t va);    // "{rlim_cur=1024, rlim_max=4*1024}"
std::string sigset_at(const MemReader& read, uint64_t va);     // "[INT USR1]"
std::string sigaction_at(const MemReader& read, uint64_t va);  // "{sa_handler=SIG_IGN, sa_mask=[], sa_flags=...}"
std::string stat_at(const MemReader& read, uint64_t va);      // "{st_mode=S_IFREG|0644, st_size=12, ...}"

}  // namespace lstar::trace
