// execve (compare Linux's fs/exec.c): the first program, started by the kernel, and every later
// image, asked for by a program.
#pragma once
#include <cstdint>

#include "fs.hpp"

namespace lstar::kernel {

extern char exe_path[kPathMax];  // what /proc/self/exe reads

// The argument and environment strings of an exec, gathered in the kernel before the old image
// is dropped (Linux's bprm->p pages).
struct ExecArgs {
    static constexpr unsigned kMaxStrings = 256, kSpace = 32768;  // beyond these: -E2BIG
    char space[kSpace];
    uint32_t used;
    uint32_t argc, envc;
    uint32_t offset[kMaxStrings];  // argv then envp, into space
};

// The user-mode start of a new image (Linux's start_thread arguments).
struct UserStart {
    uint64_t entry, sp;
};

// Replace the process's image with the program at `path` (initrd path, or the name of a built-in
// program). Before the point of no return a failure returns a negative errno and leaves the old
// image intact; after it, a failure kills the process.
long do_execve(const char* path, ExecArgs& args, UserStart& out);

ExecArgs& exec_args_buffer();  // the one buffer (static: far larger than a kernel stack)
long exec_args_add(ExecArgs& a, const char* s, uint64_t len);  // one more string: -E2BIG when full
void report_user_enter(const UserStart& start);  // the UserEnter event for the monitor
extern uint64_t user_fs_base, user_gs_base;      // arch_prctl's values (0: never set)

}  // namespace lstar::kernel
