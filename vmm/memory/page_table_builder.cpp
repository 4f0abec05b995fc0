#include "memory/page_table_builder.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "boot_protocol.hpp"
#include "x86/paging.hpp"

namespace lstar {
namespace {

using namespace x86;

// Upper-level entries allow everything; the leaves carry the real permissions (the CPU ANDs them).
constexpr uint64_t kTableFlags = kPtePresent | kPteWrite;
constexpr uint64_t kKernelMapFlags = kPtePresent | kPteWrite | kPteLarge | kPteGlobal;
constexpr uint64_t kDirectMapFlags = kKernelMapFlags | kPteNx;

class Builder {
public:
    Builder(GuestMemory& mem, uint64_t ram_bytes) : mem_(mem), ram_(ram_bytes), pml4_(alloc()) {}

    // Map [va, va + len) to [pa, pa + len) with 2 MiB pages.
    void map_2m(uint64_t va, uint64_t pa, uint64_t len, uint64_t flags) {
        for (uint64_t off = 0; off < len; off += kLargePageSize) {
            uint64_t pdpt = next_table(pml4_, pt_index(va + off, 4));
            uint64_t pd = next_table(pdpt, pt_index(va + off, 3));
            mem_.write<uint64_t>(pd + pt_index(va + off, 2) * 8, pte(pa + off, flags));
        }
    }

    unsigned pages_used() const { return used_; }
    uint64_t pml4() const { return pml4_; }

private:
    uint64_t alloc() {
        if (used_ == boot::kPageTablesMax)
            throw std::runtime_error(fmt::format("boot page tables for {:#x} bytes of RAM need more than {} pages",
                                                 ram_, boot::kPageTablesMax));
        uint64_t phys = boot::kPageTablesPhys + used_++ * kPageSize;
        auto page = mem_.span(phys, kPageSize);
        std::fill(page.begin(), page.end(), 0);
        return phys;
    }

    // The table that entry `index` of `table` points to, allocated on first use.
    uint64_t next_table(uint64_t table, unsigned index) {
        uint64_t slot = table + index * 8;
        uint64_t e = mem_.read<uint64_t>(slot);
        if (e & kPtePresent) return pte_addr(e);
        uint64_t next = alloc();
        mem_.write<uint64_t>(slot, pte(next, kTableFlags));
        return next;
    }

    GuestMemory& mem_;
    uint64_t ram_;
    unsigned used_ = 0;
    uint64_t pml4_;
};

}  // namespace

BootPageTables build_boot_page_tables(GuestMemory& mem, uint64_t ram_bytes) {
    uint64_t mapped = (ram_bytes + kLargePageSize - 1) & ~(kLargePageSize - 1);
    Builder b(mem, ram_bytes);
    b.map_2m(boot::kStartKernelMap, 0, std::min(mapped, boot::kKernelMapMax), kKernelMapFlags);
    b.map_2m(boot::kPageOffset, 0, mapped, kDirectMapFlags);
    return {b.pml4(), b.pages_used()};
}

}  // namespace lstar
