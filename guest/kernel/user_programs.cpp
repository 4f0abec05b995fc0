// The table of embedded user programs. The bytes come from user_programs.S, which
// scripts/embed.py generates from the ELFs built in guest/user (see guest/meson.build: a new
// program needs a line there and one here).
#include "user_programs.hpp"

#define USER_PROGRAM(name) extern "C" const unsigned char user_##name[], user_##name##_end[];
#define USER_PROGRAMS(X) \
    X(hello) X(getpid) X(nosys) X(ud2) X(pagefault) X(gp) X(spin) X(door_syscall) X(door_int80) X(door_sysenter) X(getpid_loop) X(bench_doors) X(exec_args) \
    X(nofile) X(memlimit) \
    X(vdso_test) X(vsyscall_test) X(vdso_bench)
USER_PROGRAMS(USER_PROGRAM)
#undef USER_PROGRAM

namespace lstar::kernel {

#define USER_PROGRAM(name) {#name, user_##name, user_##name##_end},
constinit const UserProgram user_programs[] = {USER_PROGRAMS(USER_PROGRAM)};
#undef USER_PROGRAM
constinit const unsigned user_programs_count = sizeof(user_programs) / sizeof(user_programs[0]);

const UserProgram* find_user_program(const char* name) {
    for (const auto& p : user_programs) {
        const char *a = p.name, *b = name;
        while (*a && *a == *b) a++, b++;
        if (*a == *b) return &p;
    }
    return nullptr;
}

}  // namespace lstar::kernel
