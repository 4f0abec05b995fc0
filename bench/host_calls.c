/* host_calls: the host kernel's doors, for comparison with the guest's (bench/run.py).
 *   host_calls loop N    N getppid() system calls and nothing else (what strace -f traces)
 *   host_calls cycles N  TSC cycles per getppid() (a real syscall round trip) and per vDSO
 *                        clock_gettime(CLOCK_MONOTONIC) (no kernel entry), one "NAME CYCLES" line each */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

int main(int argc, char **argv) {
	if (argc < 3) { fprintf(stderr, "usage: host_calls loop|cycles N\n"); return 2; }
	long n = atol(argv[2]);
	if (!strcmp(argv[1], "loop")) {
		for (long i = 0; i < n; i++) syscall(SYS_getppid);  /* not glibc's wrapper: one syscall each */
		return 0;
	}
	unsigned long long t = __rdtsc();
	for (long i = 0; i < n; i++) syscall(SYS_getppid);
	printf("getppid %llu\n", (__rdtsc() - t) / (unsigned long long)n);
	struct timespec ts;
	t = __rdtsc();
	for (long i = 0; i < n; i++) clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("vdso_clock_gettime %llu\n", (__rdtsc() - t) / (unsigned long long)n);
	return 0;
}
