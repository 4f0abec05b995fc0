// Linux x86-64 system call names, generated at build time from <asm/unistd_64.h>.
#pragma once
#include <cstdint>

namespace lstar {
const char* syscall_name(uint64_t nr);    // x86-64 numbers; nullptr for numbers Linux does not define
const char* syscall_name32(uint64_t nr);  // i386 numbers (int $0x80, sysenter)
}  // namespace lstar
