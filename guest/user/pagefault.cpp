// pagefault: a read from an unmapped user address -> #PF (vector 14, error 4 = user read of a
// not-present page, CR2 = 0xdead000), the task dies with SIGSEGV.
int main() {
    return *reinterpret_cast<volatile int*>(0xdead000);
}
