// gp: a privileged instruction (hlt) in ring 3 -> #GP(0) (vector 13), the task dies with SIGSEGV.
int main() {
    asm volatile("hlt");
    return 0;
}
