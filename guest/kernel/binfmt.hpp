// Loading a user program (binfmt_elf.cpp).
#pragma once
#include <cstdint>

#include "user_programs.hpp"

namespace lstar::kernel {

struct UserStart {
    uint64_t entry;  // e_entry
    uint64_t sp;     // the initial stack pointer, at argc
};

// Map the program's segments and build its stack with argv (NULL-terminated, argc entries).
// Returns 0, or a negative errno (-ENOEXEC for a bad ELF, -ENOMEM, -E2BIG).
long load_elf_binary(const UserProgram& prog, const char* const* argv, unsigned argc, UserStart& out);

}  // namespace lstar::kernel
