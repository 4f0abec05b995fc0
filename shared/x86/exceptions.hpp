// The 32 architectural exception vectors (SDM vol. 3A 6.3.1).
#pragma once
#include <cstdint>

namespace lstar::x86 {

struct VectorInfo {
    const char* mnemonic;  // "#PF"
    const char* name;      // "page fault"
    bool error_code;       // does the CPU push an error code?
};

inline constexpr VectorInfo kVectors[32] = {
    {"#DE", "divide error", false},        {"#DB", "debug", false},
    {"NMI", "non-maskable interrupt", false}, {"#BP", "breakpoint", false},
    {"#OF", "overflow", false},            {"#BR", "bound range exceeded", false},
    {"#UD", "invalid opcode", false},      {"#NM", "device not available", false},
    {"#DF", "double fault", true},         {"#MF9", "coprocessor segment overrun", false},
    {"#TS", "invalid TSS", true},          {"#NP", "segment not present", true},
    {"#SS", "stack-segment fault", true},  {"#GP", "general protection", true},
    {"#PF", "page fault", true},           {"#15", "reserved", false},
    {"#MF", "x87 floating-point error", false}, {"#AC", "alignment check", true},
    {"#MC", "machine check", false},       {"#XM", "SIMD floating-point", false},
    {"#VE", "virtualization exception", false}, {"#CP", "control protection", true},
    {"#22", "reserved", false},            {"#23", "reserved", false},
    {"#24", "reserved", false},            {"#25", "reserved", false},
    {"#26", "reserved", false},            {"#27", "reserved", false},
    {"#HV", "hypervisor injection", false}, {"#VC", "VMM communication", true},
    {"#SX", "security exception", true},   {"#31", "reserved", false},
};

inline constexpr unsigned kVecDE = 0, kVecDB = 1, kVecNMI = 2, kVecBP = 3, kVecUD = 6, kVecDF = 8,
                          kVecGP = 13, kVecPF = 14, kVecMC = 18;

// #PF error code bits.
inline constexpr uint64_t kPfPresent = 1 << 0;
inline constexpr uint64_t kPfWrite = 1 << 1;
inline constexpr uint64_t kPfUser = 1 << 2;
inline constexpr uint64_t kPfRsvd = 1 << 3;
inline constexpr uint64_t kPfInstr = 1 << 4;

}  // namespace lstar::x86
