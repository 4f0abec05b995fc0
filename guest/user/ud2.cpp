// ud2: an invalid opcode in ring 3 -> #UD (vector 6), the task dies with SIGILL.
int main() {
    asm volatile("ud2");
    return 0;
}
