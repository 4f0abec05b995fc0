// Linux x86-64 system call names, generated at build time from <asm/unistd_64.h>.
#pragma once
#include <cstdint>

namespace lstar {
const char* syscall_name(uint64_t nr);  // nullptr for numbers Linux does not define
}  // namespace lstar
