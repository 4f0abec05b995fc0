// Reports for runs that end badly: registers, segment state, and the instruction at RIP
// disassembled with Zydis, read through the guest's page tables.
#pragma once
#include <optional>
#include <string>

#include "kvm/exit.hpp"
#include "loader/symbols.hpp"
#include "memory/guest_memory.hpp"
#include "memory/instruction_fetch.hpp"
#include "cpu/disasm.hpp"

namespace lstar {

std::string register_dump(const CpuState& cpu, const SymbolTable& syms);

// "0xffffffff80200010 <start_kernel+0x10>: 0f 0b  ud2" or why it could not be read.
std::string instruction_at(const GuestMemory& mem, const CpuState& cpu, const SymbolTable& syms);

// The bytes KVM says it failed to emulate (KVM_INTERNAL_ERROR_EMULATION carries them since 5.x),
// or nothing.
std::string emulation_failure_detail(const exits::InternalError& e);

}  // namespace lstar
