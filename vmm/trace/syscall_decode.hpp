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
std::string mode_with_type(uint64_t mode);  // mknod: "S_IFCHR|0600", "0644" when no type bits
bool is_device(uint64_t mode);              // S_IFCHR or S_IFBLK: mknod's dev argument is printed
std::string makedev_text(uint64_t dev);     // "makedev(0x1, 0x3)"

// Processes (trace/syscall_decode_proc.cpp). Whole-call decoders take all six arguments, and
// `ok` (the call succeeded: what it wrote is worth reading) with the return value.
std::string clone_args(const uint64_t* a, bool ok, const MemReader& read);  // "child_stack=NULL, flags=..."
std::string reboot_args(const uint64_t* a, const MemReader& read);  // "LINUX_REBOOT_MAGIC1, ..., LINUX_REBOOT_CMD_RESTART"
std::string prctl_args(const uint64_t* a, bool ok, const MemReader& read);  // "PR_SET_NAME, \"sh\""
std::string prctl_note(const uint64_t* a, int64_t ret);  // PR_GET_DUMPABLE's result: "SUID_DUMP_USER"
std::string wait_status_text(uint32_t status);  // "{WIFEXITED(s) && WEXITSTATUS(s) == 0}"
std::string wait_status_at(const MemReader& read, uint64_t va);  // "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]"
std::string wait_options(uint64_t options);  // "WNOHANG|WSTOPPED", "0"
std::string waitid_type(uint64_t idtype);    // "P_PID", "0x7 /* P_??? */"
std::string siginfo_at(const MemReader& read, uint64_t va);  // "{si_signo=SIGCHLD, si_code=CLD_EXITED, ...}"
std::string rusage_at(const MemReader& read, uint64_t va);   // "{ru_utime={tv_sec=0, tv_usec=529}, ru_stime=..., ...}"
std::string rusage_who(uint64_t who);        // "RUSAGE_SELF", "RUSAGE_CHILDREN"
std::string uid_text(uint64_t id);           // "1000", "-1" (unchanged)
std::string gid_list_at(const MemReader& read, uint64_t va, int64_t n);  // getgroups: "[0, 4]"
std::string fd_pair_at(const MemReader& read, uint64_t va);  // pipe: "[3, 4]"
std::string tms_at(const MemReader& read, uint64_t va);      // "{tms_utime=1 /* 0.01 s */, ...}"
std::string sysinfo_at(const MemReader& read, uint64_t va);  // "{uptime=151, loads=[...], ...}"
std::string utsname_at(const MemReader& read, uint64_t va);  // "{sysname=\"Linux\", nodename=\"(none)\", ...}"

// Files, mounts, sockets and waiting on fds (trace/syscall_decode_fs.cpp).
std::string mount_flags(uint64_t flags);     // "MS_RDONLY|MS_NOSUID", "MS_MGC_VAL|MS_RDONLY", "0"
bool mount_fstype_is_string(uint64_t flags); // not for MS_REMOUNT, MS_BIND, MS_MOVE or a propagation change
bool mount_data_is_string(uint64_t flags);   // not for MS_BIND, MS_MOVE or a propagation change
std::string umount_flags(uint64_t flags);    // "MNT_DETACH", "0"
std::string rename_flags(uint64_t flags);    // "RENAME_NOREPLACE", "0"
std::string timer_flags(uint64_t flags);     // clock_nanosleep: "TIMER_ABSTIME", "0"
std::string access_mode(uint64_t mode);      // "F_OK", "R_OK|W_OK", "0x10 /* ?_OK */"
std::string statfs_at(const MemReader& read, uint64_t va);  // "{f_type=TMPFS_MAGIC, f_bsize=4096, ...}"
std::string utimens_at(const MemReader& read, uint64_t va); // "[UTIME_OMIT, {tv_sec=1, tv_nsec=2} /* ... */]"
std::string timeval_at(const MemReader& read, uint64_t va); // "{tv_sec=1, tv_usec=2}"
std::string pollfds_at(const MemReader& read, uint64_t va, uint64_t n);  // "[{fd=0, events=POLLIN}]"
std::string poll_note(const MemReader& read, uint64_t va, uint64_t n, int64_t ret);  // "[{fd=0, revents=POLLIN}]"
std::string fd_set_at(const MemReader& read, uint64_t va, uint64_t nfds);  // "[1 3]"
std::string select_note(const MemReader& read, const uint64_t* a, int64_t ret, bool timespec);  // "in [3], left {...}"
std::string pselect_sigmask_at(const MemReader& read, uint64_t va);  // "{sigmask=[INT], sigsetsize=8}"
std::string socket_args(const uint64_t* a);  // "AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP"

}  // namespace lstar::trace
