// getpid: one getpid(2), its result printed.
#include "ulib.hpp"

int main() {
    user::print_num("getpid() = ", user::getpid(), "\n");
    return 0;
}
