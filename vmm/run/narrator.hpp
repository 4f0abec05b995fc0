// Sentences for people: the path of one syscall through the kernel entry, and what an exception
// was. Each sentence is built from an event record plus what the monitor itself observed at that
// exit (CPL, RSP, GS base, CR3 from KVM), so the narration is evidence, not a drawing.
#pragma once
#include <string>

#include "event_abi.hpp"
#include "kvm/exit.hpp"
#include "loader/symbols.hpp"

namespace lstar {

// "write(0x1, 0x401040, 0x4f)"; abi_bits 32 uses the i386 numbers.
std::string syscall_call_text(uint64_t nr, const uint64_t (&args)[6], unsigned abi_bits = 64);

// insn_at_return: the instruction the monitor found just before the user return address
// ("syscall" for 0f 05, "int $0x80" for cd 80), or "" when it could not read it.
std::string narrate_syscall_entry(unsigned index, const abi::SyscallEnterEvent& ev, const CpuState& observed,
                                  const SymbolTable& syms, const std::string& insn_at_return);
std::string narrate_syscall_exit(const abi::SyscallExitEvent& ev, const CpuState& observed, const SymbolTable& syms);

// "#UD (invalid opcode) at 0x401000 from CPL 3, error code none: ud2; program killed by SIGILL"
std::string describe_exception(const abi::ExceptionEvent& ev, const SymbolTable& syms, const std::string& insn);

}  // namespace lstar
