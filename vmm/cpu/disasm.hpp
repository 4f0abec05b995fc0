// Disassembly with Zydis 4, for reports (triple fault, emulation failure) and traces.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace lstar::x86 {

enum class Syntax { Intel, Att };

struct Instruction {
    unsigned length;
    std::string text;  // e.g. "swapgs", "mov rsp, qword ptr gs:[0x8]"
};

// Decode one 64-bit-mode instruction at runtime address rip; nullopt if the bytes are not one.
std::optional<Instruction> disassemble(std::span<const uint8_t> bytes, uint64_t rip, Syntax syntax = Syntax::Intel);

}  // namespace lstar::x86
