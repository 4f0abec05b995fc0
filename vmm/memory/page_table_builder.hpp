// The boot page tables the monitor builds for lstar's 64-bit boot protocol (shared/boot_protocol.hpp):
// the kernel map at __START_KERNEL_map and the direct map at PAGE_OFFSET, both supervisor-only,
// with 2 MiB pages (this host's KVM offers no 1 GiB pages).
#pragma once
#include <cstdint>

#include "memory/guest_memory.hpp"

namespace lstar {

struct BootPageTables {
    uint64_t pml4_phys;
    unsigned pages_used;  // page-table pages written from boot::kPageTablesPhys on
};

// Throws std::runtime_error if ram_bytes needs more than boot::kPageTablesMax table pages.
BootPageTables build_boot_page_tables(GuestMemory& mem, uint64_t ram_bytes);

}  // namespace lstar
