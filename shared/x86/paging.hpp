// 4-level paging entries (SDM vol. 3A 4.5): constexpr encoder and field decoders.
#pragma once
#include <cstdint>

namespace lstar::x86 {

inline constexpr uint64_t kPtePresent = 1ull << 0;
inline constexpr uint64_t kPteWrite = 1ull << 1;
inline constexpr uint64_t kPteUser = 1ull << 2;
inline constexpr uint64_t kPtePwt = 1ull << 3;
inline constexpr uint64_t kPtePcd = 1ull << 4;
inline constexpr uint64_t kPteAccessed = 1ull << 5;
inline constexpr uint64_t kPteDirty = 1ull << 6;
inline constexpr uint64_t kPteLarge = 1ull << 7;  // PS: 2 MiB page in a PDE, 1 GiB in a PDPTE
inline constexpr uint64_t kPteGlobal = 1ull << 8;
inline constexpr uint64_t kPteNx = 1ull << 63;
inline constexpr uint64_t kPteAddrMask = 0x000ffffffffff000ull;

inline constexpr uint64_t kPageSize = 4096;
inline constexpr uint64_t kLargePageSize = 2ull << 20;

constexpr uint64_t pte(uint64_t phys, uint64_t flags) { return (phys & kPteAddrMask) | flags; }
constexpr uint64_t pte_addr(uint64_t e) { return e & kPteAddrMask; }
constexpr uint64_t pte_flags(uint64_t e) { return e & ~kPteAddrMask; }

// Index of a virtual address at a paging level: 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT.
constexpr unsigned pt_index(uint64_t va, int level) { return unsigned(va >> (12 + 9 * (level - 1))) & 511; }

// CR3 layout: with CR4.PCIDE the low 12 bits are the PCID and bit 63 means "don't flush" on write.
inline constexpr uint64_t kCr3PcidMask = 0xfff;
inline constexpr uint64_t kCr3NoFlush = 1ull << 63;

}  // namespace lstar::x86
