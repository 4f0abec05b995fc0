/* launch: the cold-start clock, identical for lstar, raw KVM and QEMU (bench/run.py).
 * Starts CMD with posix_spawn() (the child inherits stdin, stdout and stderr), waits for it with
 * wait4() and prints, on stderr after the child's own output, one line:
 *   launch: wall_ns=W status=S user_us=U sys_us=Y maxrss_kib=R
 * W is CLOCK_MONOTONIC from just before posix_spawn() to wait4()'s return: exec, dynamic linking,
 * the whole run and process exit, without the cost of starting Python or a shell.
 *   launch CMD [ARGS...]
 * Exit status: 0 when the child ran (its status is in the line), 125 when it could not be started. */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static unsigned long long now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

int main(int argc, char **argv) {
	if (argc < 2) {
		fprintf(stderr, "usage: launch CMD [ARGS...]\n");
		return 125;
	}
	pid_t pid;
	struct rusage ru;
	int st = 0;
	unsigned long long t0 = now_ns();
	int err = posix_spawnp(&pid, argv[1], NULL, NULL, argv + 1, environ);
	if (err) {
		fprintf(stderr, "launch: %s: %s\n", argv[1], strerror(err));
		return 125;
	}
	if (wait4(pid, &st, 0, &ru) != pid) {
		perror("launch: wait4");
		return 125;
	}
	unsigned long long t1 = now_ns();
	int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	fprintf(stderr, "launch: wall_ns=%llu status=%d user_us=%lld sys_us=%lld maxrss_kib=%ld\n", t1 - t0, status,
		(long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
		(long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec, ru.ru_maxrss);
	return 0;
}
