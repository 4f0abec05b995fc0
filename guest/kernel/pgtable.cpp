// User page mappings and user-range checks on the 4-level page tables, reached through the
// direct map (compare Linux's mm/memory.c page-table allocation and access_ok()).
#include "kernel.hpp"
#include "mm.hpp"
#include "processor.hpp"

namespace lstar::kernel {

using namespace x86;

namespace {

uint64_t* table_at(uint64_t entry_or_phys) { return phys_to_virt<uint64_t>(pte_addr(entry_or_phys)); }

}  // namespace

uint64_t current_pgd_phys;

bool map_page(uint64_t va, uint64_t pa, uint64_t flags) {
    if (va >= boot::kUserMax || (va & ~kPageMask) || (pa & ~kPageMask)) return false;
    uint64_t* table = table_at(current_pgd_phys);
    // PML4 -> PDPT -> PD: create missing tables. The U bit must be set at every level for a user
    // access to succeed; W is left to the leaf (the CPU ANDs the levels together).
    for (int level = 4; level > 1; level--) {
        uint64_t& e = table[pt_index(va, level)];
        if (!(e & kPtePresent)) {
            uint64_t page = memblock_alloc_page();
            if (!page) return false;
            e = pte(page, kPtePresent | kPteWrite | kPteUser);
            // PTI (Linux's pti_set_user_pgtbl): a user-half PML4 entry goes into the user PGD
            // (+4 KiB) as is, and stays in the kernel PGD with NX, so that returning to user mode
            // with the kernel CR3 by mistake faults at once instead of running.
            if (level == 4 && pti_on()) {
                table[512 + pt_index(va, 4)] = e;
                e |= kPteNx;
            }
        } else if (e & kPteLarge) {
            return false;  // the lower half has no large pages of ours
        }
        table = table_at(e);
    }
    uint64_t& leaf = table[pt_index(va, 1)];
    if (leaf & kPtePresent) return false;
    // A not-present entry is never cached in the TLB, so no invlpg is needed.
    leaf = pte(pa, flags | kPtePresent | kPteUser);
    return true;
}

bool access_ok(uint64_t addr, uint64_t len) {
    return len <= boot::kUserMax && addr <= boot::kUserMax - len;
}

bool user_range_accessible(uint64_t addr, uint64_t len, bool write) {
    if (!access_ok(addr, len)) return false;
    if (len == 0) return true;
    const uint64_t pml4 = read_cr3() & kPteAddrMask;  // walk the tables the CPU is using
    for (uint64_t page = page_align_down(addr); page < addr + len; page += kPageSize) {
        uint64_t e = pml4;
        for (int level = 4; level >= 1; level--) {
            e = table_at(e)[pt_index(page, level)];
            if (!(e & kPtePresent) || !(e & kPteUser) || (write && !(e & kPteWrite))) return false;
            if (level > 1 && (e & kPteLarge)) break;  // a 1 GiB / 2 MiB leaf
        }
    }
    return true;
}

}  // namespace lstar::kernel
