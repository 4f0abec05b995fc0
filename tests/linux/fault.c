// /bin/fault in the Linux tests' initramfs: a user program that faults, for `--trace exceptions`:
// `fault ud` runs ud2 (#UD, Linux's asm_exc_invalid_op, SIGILL), `fault pf` writes through a
// NULL pointer (#PF, asm_exc_page_fault, SIGSEGV). The shell reports the signal in $?.
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
    const char* what = argc > 1 ? argv[1] : "";
    fflush(stdout);
    if (strcmp(what, "ud") == 0) __asm__ volatile("ud2");
    if (strcmp(what, "pf") == 0) *(volatile int*)0 = 1;
    fprintf(stderr, "usage: fault ud|pf\n");
    return 2;
}
