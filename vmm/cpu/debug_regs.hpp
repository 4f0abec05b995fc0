// DR7, the debug control register (SDM vol. 3B 18.2.4): constexpr encoder and decoders for the
// four hardware breakpoints lstar arms with KVM_SET_GUEST_DEBUG.
#pragma once
#include <cstdint>

namespace lstar::x86 {

enum class BreakOn : unsigned { Execute = 0, Write = 1, Io = 2, ReadWrite = 3 };

inline constexpr unsigned kDebugSlots = 4;

// Enable breakpoint `slot` (0-3) locally, breaking on `on`, for `len` bytes (1, 2, 4 or 8;
// instruction breakpoints must use 1).
constexpr uint64_t dr7_enable(uint64_t dr7, unsigned slot, BreakOn on = BreakOn::Execute, unsigned len = 1) {
    unsigned len_bits = len == 8 ? 2 : len == 4 ? 3 : len == 2 ? 1 : 0;
    dr7 &= ~(3ull << (2 * slot)) & ~(0xfull << (16 + 4 * slot));
    return dr7 | 1ull << (2 * slot) | uint64_t(unsigned(on) | len_bits << 2) << (16 + 4 * slot);
}
constexpr bool dr7_enabled(uint64_t dr7, unsigned slot) { return (dr7 >> (2 * slot)) & 3; }
constexpr BreakOn dr7_break_on(uint64_t dr7, unsigned slot) { return BreakOn((dr7 >> (16 + 4 * slot)) & 3); }
constexpr unsigned dr7_len(uint64_t dr7, unsigned slot) {
    unsigned l = (dr7 >> (18 + 4 * slot)) & 3;
    return l == 0 ? 1 : l == 1 ? 2 : l == 3 ? 4 : 8;
}

// DR6: which breakpoint fired (B0-B3), and BS for a single step.
constexpr int dr6_hit_slot(uint64_t dr6) {
    for (unsigned i = 0; i < kDebugSlots; ++i)
        if (dr6 & (1ull << i)) return int(i);
    return -1;
}
constexpr bool dr6_single_step(uint64_t dr6) { return dr6 & (1ull << 14); }

static_assert(dr7_enable(0, 0) == 0x1);
static_assert(dr7_enable(0, 3, BreakOn::Write, 8) == (0x40ull | 0x9ull << 28));
static_assert(dr7_break_on(dr7_enable(0, 2, BreakOn::ReadWrite, 4), 2) == BreakOn::ReadWrite);
static_assert(dr7_len(dr7_enable(0, 1, BreakOn::Write, 2), 1) == 2);

}  // namespace lstar::x86
