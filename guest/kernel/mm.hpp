// Memory management, as little as one process needs: a bump allocator of physical pages
// (memblock.cpp) and 4 KiB user mappings in the boot page tables (pgtable.cpp).
#pragma once
#include <cstdint>

#include "x86/paging.hpp"

namespace lstar::kernel {

// memblock.cpp: pages from BootInfo's [free_phys_start, free_phys_end). The monitor hands that
// RAM over zero-filled, so a fresh page needs no clearing (which would cost ~1 us per
// instruction here). Returns the physical address, or 0 when RAM is exhausted.
void memblock_init(uint64_t start, uint64_t end);
uint64_t memblock_alloc_page();
uint64_t memblock_alloc(uint64_t size, uint64_t align);  // size bytes at an align boundary (a power of 2)

// pgtable.cpp: map the user page at va to pa with the leaf flags given (kPtePresent | kPteUser
// are implied), creating PDPT/PD/PT pages as needed. False if va is not a user address, RAM ran
// out, or va is already mapped.
bool map_page(uint64_t va, uint64_t pa, uint64_t flags);

// Is every byte of [addr, addr + len) in the user half, and is every page of it mapped present
// and user-accessible (and writable, if write) in the current page tables?
bool access_ok(uint64_t addr, uint64_t len);
bool user_range_accessible(uint64_t addr, uint64_t len, bool write);

inline constexpr uint64_t kPageMask = ~(x86::kPageSize - 1);
constexpr uint64_t page_align_down(uint64_t v) { return v & kPageMask; }
constexpr uint64_t page_align_up(uint64_t v) { return (v + x86::kPageSize - 1) & kPageMask; }

}  // namespace lstar::kernel
