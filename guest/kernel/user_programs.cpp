// The embedded user programs: the table itself (user_programs, user_programs_count) is generated
// with the bytes by scripts/embed.py from guest/meson.build's guest_user_names, the one list.
#include "user_programs.hpp"

#include "string.hpp"

namespace lstar::kernel {

const UserProgram* find_user_program(const char* name) {
    for (unsigned i = 0; i < user_programs_count; i++)
        if (lib::streq(user_programs[i].name, name)) return &user_programs[i];
    return nullptr;
}

}  // namespace lstar::kernel
