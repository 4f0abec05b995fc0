// getpid_loop N: N getpid(2) calls and nothing else, then exit 0 (default N = 1000). For the
// benchmarks: the cost of a syscall round trip, traced and untraced.
#include "ulib.hpp"

int main(int argc, char** argv) {
    long n = argc > 1 ? user::atol(argv[1]) : 1000;
    for (long i = 0; i < n; ++i) user::getpid();
    return 0;
}
