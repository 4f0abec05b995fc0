// The instruction a vCPU is at, fetched through the guest's own page tables and disassembled:
// for fault reports, the tracer and the exception records.
#pragma once
#include <cstdint>
#include <optional>

#include "cpu/disasm.hpp"
#include "memory/guest_memory.hpp"

namespace lstar {

// The instruction at rip, read through the page tables at cr3 (or physically with paging off).
std::optional<x86::Instruction> guest_instruction(const GuestMemory& mem, uint64_t cr0, uint64_t cr3, uint64_t rip,
                                                  x86::Syntax syntax = x86::Syntax::Intel);

}  // namespace lstar
