// What a process sees of its kernel beyond memory: the working directory (chdir, fchdir, getcwd,
// relative paths against AT_FDCWD and directory descriptors), descriptors (dup, dup2, dup3,
// fcntl), signal dispositions and the blocked mask, standard input to its end, and fd 2 apart
// from fd 1. Run as `proc ROOT`, ROOT holding etc/motd and etc/dir/{a.txt,b.txt,sub/}; every
// line it prints is the same on the host and under lstar.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static char base[4096];
static size_t base_len;

static void show(const char* what, long r) {
    if (r < 0) printf("%s = -1 %s\n", what, strerrorname_np(errno));
    else printf("%s = %ld\n", what, r);
}

static void cwd(const char* when) {
    char b[4096];
    if (!getcwd(b, sizeof b)) {
        printf("getcwd (%s): %s\n", when, strerrorname_np(errno));
        return;
    }
    printf("cwd %s: /%s\n", when, b + base_len + (b[base_len] == '/'));
}

static void on_usr1(int sig) { (void)sig; }

int main(int argc, char** argv) {
    if (argc < 2 || chdir(argv[1])) return 2;
    if (!getcwd(base, sizeof base)) return 3;
    base_len = strcmp(base, "/") ? strlen(base) : 0;
    cwd("at ROOT");

    // Relative paths: AT_FDCWD, then a directory descriptor, then after chdir and fchdir.
    char line[128];
    FILE* f = fopen("etc/motd", "r");
    printf("fopen(etc/motd): %s", f && fgets(line, sizeof line, f) ? line : "failed\n");
    show("chdir(etc)", chdir("etc"));
    cwd("after chdir(etc)");
    const int dir = open("dir", O_RDONLY | O_DIRECTORY);
    show("open(dir, O_DIRECTORY) >= 0", dir >= 0 ? 0 : -1);
    const int fd = openat(dir, "a.txt", O_RDONLY);
    char c = 0;
    show("read(openat(dir, a.txt))", read(fd, &c, 1));
    printf("byte: %c\n", c);
    struct stat st;
    show("fstatat(dir, b.txt)", fstatat(dir, "b.txt", &st, 0));
    printf("size %lld\n", (long long)st.st_size);
    show("fchdir(dir)", fchdir(dir));
    cwd("after fchdir");
    show("open(../motd)", open("../motd", O_RDONLY) >= 0 ? 0 : -1);
    show("chdir(sub/..)", chdir("sub/.."));
    show("chdir(a.txt)", chdir("a.txt"));
    show("chdir(nope)", chdir("nope"));
    show("fchdir(file)", fchdir(fd));
    show("fchdir(999)", fchdir(999));
    show("openat(file, x)", openat(fd, "x", O_RDONLY));
    show("openat(12345, x)", openat(12345, "x", O_RDONLY));
    show("getcwd(buf, 1)", syscall(SYS_getcwd, line, 1));
    cwd("at the end");

    // Descriptors: dup shares the offset; FD_CLOEXEC is per descriptor; status flags per file.
    const int d = dup(fd);
    show("lseek(dup, 0, SEEK_CUR)", lseek(d, 0, SEEK_CUR));
    show("dup2(fd, 10)", dup2(fd, 10));
    show("fcntl(10, F_GETFD)", fcntl(10, F_GETFD));
    show("dup3(fd, 11, O_CLOEXEC)", dup3(fd, 11, O_CLOEXEC));
    show("fcntl(11, F_GETFD)", fcntl(11, F_GETFD));
    show("fcntl(11, F_SETFD, 0)", fcntl(11, F_SETFD, 0));
    show("fcntl(11, F_GETFD)", fcntl(11, F_GETFD));
    show("dup3(fd, fd, 0)", dup3(fd, fd, 0));
    show("dup3(fd, 12, 1)", dup3(fd, 12, 1));
    show("dup2(fd, fd) == fd", dup2(fd, fd) == fd ? 0 : -1);
    show("dup2(999, 13)", dup2(999, 13));
    show("fcntl(fd, F_DUPFD, 20)", fcntl(fd, F_DUPFD, 20));
    show("fcntl(fd, F_DUPFD_CLOEXEC, 20)", fcntl(fd, F_DUPFD_CLOEXEC, 20));
    show("fcntl(21, F_GETFD)", fcntl(21, F_GETFD));
    show("fcntl(fd, F_GETFL)", fcntl(fd, F_GETFL));
    show("fcntl(fd, F_SETFL, O_NONBLOCK)", fcntl(fd, F_SETFL, O_NONBLOCK));
    show("fcntl(10, F_GETFL)", fcntl(10, F_GETFL));
    show("fcntl(fd, 9999)", fcntl(fd, 9999));
    show("fcntl(999, F_GETFD)", fcntl(999, F_GETFD));
    struct pollfd pfd[3] = {{fd, POLLIN, 0}, {999, POLLIN, 0}, {-1, POLLIN, 0}};
    show("poll(file, 999, -1)", poll(pfd, 3, -1));
    printf("revents %#x %#x %#x\n", pfd[0].revents, pfd[1].revents, pfd[2].revents);
    show("close(10)", close(10));
    show("read(11) after close(10)", read(11, &c, 1));

    // Signals: what rt_sigaction records comes back; SIGKILL and SIGSTOP cannot be caught or blocked.
    struct sigaction sa = {0}, old = {0};
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaddset(&sa.sa_mask, SIGKILL);
    show("sigaction(SIGUSR1)", sigaction(SIGUSR1, &sa, NULL));
    show("sigaction(SIGUSR1, NULL, &old)", sigaction(SIGUSR1, NULL, &old));
    printf("handler kept %d, SA_RESTART %d, mask USR2 %d KILL %d\n", old.sa_handler == on_usr1,
           !!(old.sa_flags & SA_RESTART), sigismember(&old.sa_mask, SIGUSR2), sigismember(&old.sa_mask, SIGKILL));
    show("sigaction(SIGKILL)", sigaction(SIGKILL, &sa, NULL));
    show("sigaction(SIGSTOP, NULL, &old)", sigaction(SIGSTOP, NULL, &old));
    show("rt_sigaction(0)", syscall(SYS_rt_sigaction, 0, NULL, &old, 8));
    show("rt_sigaction(65)", syscall(SYS_rt_sigaction, 65, NULL, &old, 8));
    show("rt_sigaction(sigsetsize 4)", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4));
    sigset_t set, got;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGSTOP);
    show("sigprocmask(SIG_BLOCK)", sigprocmask(SIG_BLOCK, &set, NULL));
    show("sigprocmask(SIG_SETMASK, NULL, &got)", sigprocmask(SIG_SETMASK, NULL, &got));
    printf("blocked USR1 %d STOP %d\n", sigismember(&got, SIGUSR1), sigismember(&got, SIGSTOP));
    show("rt_sigprocmask(how 99)", syscall(SYS_rt_sigprocmask, 99, &set, NULL, 8));
    show("rt_sigprocmask(sigsetsize 16)", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 16));

    // Standard input to its end, then the streams apart.
    char in[256];
    size_t total = 0;
    long n;
    while ((n = read(0, in + total, sizeof in - 1 - total)) > 0) total += (size_t)n;
    in[total] = 0;
    printf("stdin: %zu bytes: %s", total, in);
    show("read(0) at the end", read(0, in, 1));
    fflush(stdout);
    fprintf(stderr, "this line is on stderr\n");
    return 0;
}
