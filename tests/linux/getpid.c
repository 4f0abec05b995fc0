// /bin/getpid in the Linux tests' initramfs: exactly one getpid(2), by the raw `syscall`
// instruction (glibc's getpid() would be the same call; syscall(2) makes it explicit), so that
// `--trace path=getpid` follows Linux's entry_SYSCALL_64 -> do_syscall_64 -> __x64_sys_getpid ->
// sysretq for a program whose call lstar knows.
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    long pid = syscall(SYS_getpid);
    printf("lstar-linux: getpid returned %s\n", pid > 1 ? "a pid above 1" : "1 or less");
    return 0;
}
