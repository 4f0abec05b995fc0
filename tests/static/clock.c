/* clock N: N calls of clock_gettime(CLOCK_REALTIME) and of gettimeofday through glibc, which
 * takes them to the vDSO when the kernel passes one in AT_SYSINFO_EHDR. Prints whether time went
 * forward and the year, so lstar and the host print the same thing. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/time.h>
#include <time.h>

int main(int argc, char** argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000;
    struct timespec first, t = {0, 0};
    clock_gettime(CLOCK_REALTIME, &first);
    int monotonic = 1;
    for (long i = 0; i < n; i++) {
        struct timespec prev = t;
        clock_gettime(CLOCK_REALTIME, &t);
        if (t.tv_sec < prev.tv_sec || (t.tv_sec == prev.tv_sec && t.tv_nsec < prev.tv_nsec)) monotonic = 0;
        struct timeval tv;
        gettimeofday(&tv, NULL);
    }
    struct tm tm;
    time_t now = time(NULL);
    gmtime_r(&now, &tm);
    printf("vdso: %s\n", getauxval(AT_SYSINFO_EHDR) ? "present" : "absent");
    printf("time went forward: %s\n", monotonic ? "yes" : "no");
    printf("year: %d\n", tm.tm_year + 1900);
    return 0;
}
