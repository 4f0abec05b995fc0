// The ELF loader (binfmt_elf.cpp).
#pragma once
#include <cstdint>

#include "exec.hpp"

namespace lstar::kernel {

// Check the ELF (static x86-64 ET_EXEC, or ET_DYN without PT_INTERP), then replace the image:
// areas for the PT_LOAD segments, brk, the stack with argv, envp and auxv. -ENOEXEC (with a log
// line saying why) before anything changes; after the point of no return, failures kill the task.
long load_elf_binary(const unsigned char* file, uint64_t size, const char* filename, const ExecArgs& args,
                     UserStart& out);

// The vDSO's base for AT_SYSINFO_EHDR, 0 when there is none (set by arch_setup_additional_pages).
extern uint64_t vdso_base;

}  // namespace lstar::kernel
