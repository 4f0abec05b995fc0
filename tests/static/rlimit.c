// getrlimit/setrlimit: lower RLIMIT_NOFILE, then open argv[1] until the kernel says EMFILE.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) != 0) return 1;
    printf("NOFILE soft<=hard: %s\n", r.rlim_cur <= r.rlim_max ? "yes" : "no");
    struct rlimit low = {8, r.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &low) != 0) return 1;
    struct rlimit bad = {16, 8};
    printf("soft above hard: %s\n", setrlimit(RLIMIT_NOFILE, &bad) == 0 ? "accepted" : strerror(errno));
    getrlimit(RLIMIT_NOFILE, &r);
    printf("NOFILE soft now %llu\n", (unsigned long long)r.rlim_cur);
    int opened = 0, fd;
    while ((fd = open(argv[1], O_RDONLY)) >= 0) opened++;
    printf("opened %d more files, then: %s\n", opened, strerror(errno));
    return 0;
}
