// spin: an endless loop in ring 3 that never makes a system call (for timeouts and interrupts).
int main() {
    for (;;) asm volatile("" ::: "memory");
}
