// The user programs embedded in the kernel image (user_programs.cpp).
#pragma once

namespace lstar::kernel {

struct UserProgram {
    const char* name;
    const unsigned char* start;  // the ELF file, page-aligned in .rodata.embedded
    const unsigned char* end;
};

extern const UserProgram user_programs[];
extern const unsigned user_programs_count;

const UserProgram* find_user_program(const char* name);

}  // namespace lstar::kernel
