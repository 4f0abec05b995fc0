#include "trace/syscall_classes.hpp"

#include <map>

namespace lstar::trace {

namespace {

// Space-separated names, one string per class: short to read against strace(1) and its tables.
const std::map<std::string, std::string, std::less<>>& table() {
    static const std::map<std::string, std::string, std::less<>> t = {
        {"%file",
         "open stat lstat access execve truncate getcwd chdir rename mkdir rmdir creat link unlink symlink readlink "
         "chmod chown lchown utime mknod uselib statfs pivot_root chroot acct mount umount2 swapon swapoff quotactl "
         "setxattr lsetxattr getxattr lgetxattr listxattr llistxattr removexattr lremovexattr utimes "
         "inotify_add_watch openat mkdirat mknodat fchownat futimesat newfstatat unlinkat renameat linkat symlinkat "
         "readlinkat fchmodat faccessat utimensat fanotify_mark name_to_handle_at renameat2 execveat statx "
         "open_tree move_mount fsconfig fspick openat2 faccessat2 mount_setattr"},
        {"%process",
         "clone fork vfork execve exit wait4 kill tkill tgkill waitid rt_sigqueueinfo exit_group "
         "rt_tgsigqueueinfo execveat clone3"},
        {"%network",
         "sendfile socket connect accept sendto recvfrom sendmsg recvmsg shutdown bind listen getsockname "
         "getpeername socketpair setsockopt getsockopt getpmsg putpmsg accept4 recvmmsg sendmmsg"},
        {"%signal",
         "rt_sigaction rt_sigprocmask rt_sigreturn pause kill rt_sigpending rt_sigtimedwait rt_sigqueueinfo "
         "rt_sigsuspend sigaltstack tkill tgkill signalfd signalfd4 rt_tgsigqueueinfo pidfd_send_signal"},
        {"%ipc",
         "shmget shmat shmctl semget semop semctl shmdt msgget msgsnd msgrcv msgctl semtimedop"},
        {"%desc",
         "read write open close fstat poll lseek mmap ioctl pread64 pwrite64 readv writev pipe select dup dup2 "
         "sendfile fcntl flock fsync fdatasync ftruncate getdents fchdir creat fchmod fchown fstatfs readahead "
         "fsetxattr fgetxattr flistxattr fremovexattr epoll_create getdents64 fadvise64 epoll_wait epoll_ctl "
         "mq_open mq_timedsend mq_timedreceive mq_notify mq_getsetattr inotify_init inotify_add_watch "
         "inotify_rm_watch openat mkdirat mknodat fchownat futimesat newfstatat unlinkat renameat linkat "
         "symlinkat readlinkat fchmodat faccessat pselect6 ppoll splice tee sync_file_range vmsplice utimensat "
         "epoll_pwait signalfd timerfd_create eventfd fallocate timerfd_settime timerfd_gettime signalfd4 "
         "eventfd2 epoll_create1 dup3 pipe2 inotify_init1 preadv pwritev perf_event_open fanotify_init "
         "fanotify_mark name_to_handle_at open_by_handle_at syncfs setns finit_module renameat2 memfd_create "
         "kexec_file_load bpf execveat userfaultfd copy_file_range preadv2 pwritev2 statx pidfd_send_signal "
         "io_uring_setup io_uring_enter io_uring_register open_tree move_mount fsopen fsconfig fsmount fspick "
         "pidfd_open close_range openat2 pidfd_getfd faccessat2 process_madvise epoll_pwait2 mount_setattr "
         "quotactl_fd memfd_secret process_mrelease"},
        {"%memory",
         "mmap mprotect munmap brk mremap msync mincore madvise shmat shmdt mlock munlock mlockall munlockall "
         "io_setup io_destroy remap_file_pages mbind set_mempolicy get_mempolicy migrate_pages move_pages mlock2 "
         "pkey_mprotect set_mempolicy_home_node"},
        {"%creds",
         "getuid getgid setuid setgid geteuid getegid setreuid setregid getgroups setgroups setresuid getresuid "
         "setresgid getresgid setfsuid setfsgid capget capset prctl"},
        {"%stat", "stat"},
        {"%lstat", "lstat"},
        {"%fstat", "fstat newfstatat"},
        {"%%stat", "stat fstat lstat newfstatat statx"},
        {"%statfs", "statfs"},
        {"%fstatfs", "fstatfs"},
        {"%%statfs", "ustat statfs fstatfs"},
        {"%clock", "gettimeofday adjtimex settimeofday time clock_settime clock_gettime clock_getres clock_adjtime"},
        {"%pure", "getpid getuid getgid geteuid getegid getppid getpgrp gettid"},
    };
    return t;
}

}  // namespace

const std::vector<std::string>& syscall_classes() {
    static const std::vector<std::string> names = {"%file",  "%process", "%network", "%net",     "%signal",
                                                   "%ipc",   "%desc",    "%memory",  "%creds",   "%stat",
                                                   "%lstat", "%fstat",   "%%stat",   "%statfs",  "%fstatfs",
                                                   "%%statfs", "%clock", "%pure"};
    return names;
}

std::vector<std::string_view> syscalls_in_class(std::string_view cls) {
    std::string key(cls);
    if (key == "%net" || key == "net") key = "%network";
    // strace's older spelling: file, process, network, signal, ipc, desc, memory without the %.
    static const char* const old[] = {"file", "process", "network", "signal", "ipc", "desc", "memory"};
    for (const char* o : old)
        if (key == o) key = "%" + key;
    std::vector<std::string_view> r;
    auto it = table().find(key);
    if (it == table().end()) return r;
    std::string_view names = it->second;
    while (!names.empty()) {
        size_t sp = names.find(' ');
        r.push_back(names.substr(0, sp));
        names = sp == std::string_view::npos ? std::string_view() : names.substr(sp + 1);
    }
    return r;
}

}  // namespace lstar::trace
