// Guest-virtual to guest-physical translation by walking the guest's 4-level page tables
// in guest memory. Every entry read is hostile: a table outside RAM ends the walk, never reads past it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "memory/guest_memory.hpp"

namespace lstar {

struct Translation {
    uint64_t gpa;
    uint64_t page_size;  // 4 KiB, 2 MiB or 1 GiB
    bool user;           // U/S set at every level
    bool writable;       // R/W set at every level
    bool executable;     // NX clear at every level (assuming EFER.NXE)
    int level;           // 1 = PTE, 2 = PDE (2 MiB), 3 = PDPTE (1 GiB)
};

enum class Access { Kernel, User };

// Translate one address for the page tables at CR3 (PCID and flag bits of CR3 are ignored).
std::optional<Translation> translate(const GuestMemory& mem, uint64_t cr3, uint64_t va);

// Copy [va, va + len) out of guest memory through the page tables. Fails (nullopt) if any byte is
// unmapped, outside RAM, or (for Access::User) on a page without the U/S bit.
std::optional<std::vector<uint8_t>> read_virtual(const GuestMemory& mem, uint64_t cr3, uint64_t va, uint64_t len,
                                                 Access access = Access::Kernel);

// The readable start of [va, va + max_len): page by page until the first byte that is not mapped
// (or, for Access::User, not user-accessible); nullopt when not even the first byte is. With
// paging off, linear == physical. For code and strings that may end near an unmapped page.
std::optional<std::vector<uint8_t>> read_linear_prefix(const GuestMemory& mem, uint64_t cr0, uint64_t cr3, uint64_t va,
                                                       uint64_t max_len, Access access = Access::Kernel);

// A NUL-terminated string of at most max_len bytes; nullopt if unreadable before the NUL or the limit.
std::optional<std::string> read_virtual_string(const GuestMemory& mem, uint64_t cr3, uint64_t va, uint64_t max_len,
                                               Access access = Access::Kernel);

// Contiguous runs of mapped virtual addresses in [va_lo, va_hi) with the same effective permissions.
struct MappedRange {
    uint64_t start, end;  // [start, end)
    bool user, writable, executable;
};
// At most max_entries table entries are visited, so a hostile table that points back at itself
// (512^4 leaves) costs milliseconds, not hours; the runs found until then are returned.
inline constexpr uint64_t kMappedRangesMaxEntries = 1ull << 22;
std::vector<MappedRange> mapped_ranges(const GuestMemory& mem, uint64_t cr3, uint64_t va_lo, uint64_t va_hi,
                                       uint64_t max_entries = kMappedRangesMaxEntries);

// Ranges that repeat: `count` ranges of first's size and permissions, each `stride` bytes after
// the one before (Linux's espfix maps one page table's pages 65536 times, 64 KiB apart). Runs of
// fewer than min_repeat stay single ranges (count 1).
struct MappedRun {
    MappedRange first;
    uint64_t count = 1, stride = 0;
    uint64_t last_end() const { return first.end + (count - 1) * stride; }
};
std::vector<MappedRun> periodic_runs(const std::vector<MappedRange>& ranges, size_t min_repeat = 8);

}  // namespace lstar
