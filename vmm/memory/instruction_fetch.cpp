#include "memory/instruction_fetch.hpp"

#include "memory/page_walk.hpp"

namespace lstar {

std::optional<x86::Instruction> guest_instruction(const GuestMemory& mem, uint64_t cr0, uint64_t cr3, uint64_t rip,
                                                  x86::Syntax syntax) {
    auto bytes = read_linear_prefix(mem, cr0, cr3, rip, 15);  // an instruction is at most 15 bytes
    if (!bytes) return std::nullopt;
    return x86::disassemble(*bytes, rip, syntax);
}

}  // namespace lstar
