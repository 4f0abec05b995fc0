/* syscalls FILE: the calls whose arguments strace decodes, each once, for tests/integration/
 * test_strace_parity.cpp to trace under lstar and under the host's strace and compare: open flags
 * (with and without O_CREAT's mode), errno names, mmap prot and flags, clock ids, arch_prctl codes,
 * rlimit resources and struct rlimit, struct timespec, struct stat, lseek whence, getrandom flags.
 * Made through syscall(2) where glibc would take another way (the vDSO) or pick other flags. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    int fd = openat(AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC);
    char buf[16];
    long n = read(fd, buf, sizeof buf);
    lseek(fd, 0, SEEK_END);
    struct stat st;
    fstat(fd, &st);
    close(fd);
    syscall(SYS_openat, AT_FDCWD, "/nonexistent/file", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    syscall(SYS_open, "/nonexistent", O_RDONLY | O_NONBLOCK | O_DIRECTORY);
    void* p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(p, 4096, PROT_READ);
    munmap(p, 8192);
    syscall(SYS_mmap, 0, 0, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    struct timespec ts;
    syscall(SYS_clock_getres, CLOCK_MONOTONIC, &ts);
    syscall(SYS_clock_gettime, 12 /* no such clock */, &ts);
    syscall(SYS_clock_gettime, CLOCK_BOOTTIME, &ts);
    unsigned long fs = 0;
    syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &fs);
    syscall(SYS_arch_prctl, 0x3001, 0);
    struct rlimit lim = {64, 128}, got;
    syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &lim, NULL);
    syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &got);
    syscall(SYS_prlimit64, 0, 99, NULL, &got);
    syscall(SYS_getrandom, buf, 8, 1 /* GRND_NONBLOCK */);
    printf("read %ld, size %lld, fs %s, limits %llu/%llu\n", n, (long long)st.st_size, fs ? "set" : "0",
           (unsigned long long)got.rlim_cur, (unsigned long long)got.rlim_max);
    return 0;
}
