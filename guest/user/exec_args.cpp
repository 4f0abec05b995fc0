// exec_args: what execve hands a program. Prints argc, argv, envp and some of the auxiliary vector
// from the initial stack; `exec_args exec` then execve's itself with new arguments and environment,
// and the new image prints them (the old one is gone: execve does not return on success).
#include "ulib.hpp"

using namespace user;

namespace {

constexpr unsigned long AT_NULL = 0, AT_PHDR = 3, AT_PAGESZ = 6, AT_ENTRY = 9, AT_UID = 11, AT_PLATFORM = 15,
                        AT_CLKTCK = 17, AT_RANDOM = 25, AT_EXECFN = 31;

void show(const char* what, unsigned long i, const char* s) {
    Line l;
    l << what << "[" << long(i) << "] = \"" << s << "\"\n";
    write(1, l.buf, l.n);
}

}  // namespace

int main(int argc, char** argv) {
    print_num("argc = ", argc, "\n");
    for (int i = 0; i < argc; i++) show("argv", unsigned(i), argv[i]);
    char** envp = argv + argc + 1;  // the initial stack: argv[], NULL, envp[], NULL, auxv
    unsigned long n = 0;
    for (; envp[n]; n++) show("envp", n, envp[n]);
    auto* auxv = reinterpret_cast<unsigned long*>(envp + n + 1);
    for (; auxv[0] != AT_NULL; auxv += 2) {
        Line l;
        switch (auxv[0]) {
        case AT_PAGESZ: l << "AT_PAGESZ = " << long(auxv[1]) << "\n"; break;
        case AT_CLKTCK: l << "AT_CLKTCK = " << long(auxv[1]) << "\n"; break;
        case AT_UID: l << "AT_UID = " << long(auxv[1]) << "\n"; break;
        case AT_EXECFN: l << "AT_EXECFN = \"" << reinterpret_cast<const char*>(auxv[1]) << "\"\n"; break;
        case AT_PLATFORM: l << "AT_PLATFORM = \"" << reinterpret_cast<const char*>(auxv[1]) << "\"\n"; break;
        case AT_RANDOM: l << "AT_RANDOM: 16 bytes on the stack\n"; break;
        case AT_PHDR: l << "AT_PHDR present\n"; break;
        case AT_ENTRY: l << "AT_ENTRY present\n"; break;
        default: break;
        }
        if (l.n) write(1, l.buf, l.n);
    }
    if (argc > 1 && argv[1][0] == 'e' && argv[1][1] == 'x' && argv[1][2] == 'e' && argv[1][3] == 'c' && !argv[1][4]) {
        const char* new_argv[] = {"exec_args", "replaced", "by execve", nullptr};
        const char* new_envp[] = {"GREETING=hello from the old image", "LSTAR=1", nullptr};
        puts("execve(\"exec_args\", ...)\n");
        long r = syscall6(lstar::nr::kExecve, reinterpret_cast<long>("exec_args"), reinterpret_cast<long>(new_argv),
                          reinterpret_cast<long>(new_envp));
        print_num("execve failed: ", r, "\n");  // only reached on failure
        return 1;
    }
    return 0;
}
