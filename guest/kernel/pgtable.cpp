// User page mappings and user-range checks on the 4-level page tables, reached through the
// direct map (compare Linux's mm/memory.c page-table allocation and access_ok()).
#include "kernel.hpp"
#include "mm.hpp"
#include "processor.hpp"
#include "x86/exceptions.hpp"

namespace lstar::kernel {

using namespace x86;

namespace {

uint64_t* table_at(uint64_t entry_or_phys) { return phys_to_virt<uint64_t>(pte_addr(entry_or_phys)); }

}  // namespace

uint64_t current_pgd_phys;
bool user_flush_pending;

void user_flush_done() {
    volatile CeaVars& v = cea_vars();
    v.user_cr3_bits = v.user_cr3_bits | x86::kCr3NoFlush;
    user_flush_pending = false;
}

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
        for (int attempt = 0;; attempt++) {
            uint64_t e = pml4;
            bool ok = true;
            for (int level = 4; level >= 1 && ok; level--) {
                e = table_at(e)[pt_index(page, level)];
                ok = (e & kPtePresent) && (e & kPteUser) && (!write || (e & kPteWrite));
                if (ok && level > 1 && (e & kPteLarge)) break;  // a 1 GiB / 2 MiB leaf
            }
            if (ok) break;
            // Not there yet (or shared and written): fault it in as the CPU's access would.
            const uint64_t err = kPfUser | (write ? kPfWrite : 0) | (e & kPtePresent ? kPfPresent : 0);
            if (attempt || !handle_mm_fault(page, err)) return false;
        }
    }
    return true;
}

uint64_t* pte_lookup(uint64_t va) {
    if (va >= boot::kUserMax) return nullptr;
    uint64_t* table = table_at(current_pgd_phys);
    for (int level = 4; level > 1; level--) {
        const uint64_t e = table[pt_index(va, level)];
        if (!(e & kPtePresent) || (e & kPteLarge)) return nullptr;
        table = table_at(e);
    }
    return &table[pt_index(va, 1)];
}

void unmap_range(uint64_t start, uint64_t end) {
    bool any = false;
    for (uint64_t va = start; va < end;) {
        // Skip a whole missing table at once: a large unmapped range costs a few steps, not a
        // step per page (each ring-0 instruction is ~1 us here).
        uint64_t* table = table_at(current_pgd_phys);
        int level = 4;
        for (; level > 1; level--) {
            const uint64_t e = table[pt_index(va, level)];
            if (!(e & kPtePresent)) break;
            table = table_at(e);
        }
        if (level == 1) {  // the rest of this page table, without walking down again each time
            for (unsigned i = pt_index(va, 1); i < 512 && va < end; i++, va += kPageSize)
                if (table[i]) table[i] = 0, any = true;  // present, or kept while PROT_NONE
            continue;
        }
        const uint64_t span = kPageSize << (9 * (level - 1));
        va = (va & ~(span - 1)) + span;
    }
    if (any) flush_tlb_user();
}

void clear_user_mappings() {
    uint64_t* pgd = table_at(current_pgd_phys);
    memset(pgd, 0, 256 * sizeof(uint64_t));
    if (pti_on()) memset(pgd + 512, 0, 256 * sizeof(uint64_t));  // the user PGD's user half
    flush_tlb_user();
}

void flush_tlb_one_user(uint64_t va) {
    asm volatile("invlpg (%0)" : : "r"(va) : "memory");
    if (entry_mode == abi::EntryMode::PtiPcid) flush_tlb_user();  // invlpg reaches the kernel PCID only
}

void flush_tlb_user() {
    // User pages are never global: a CR3 write drops them. Under PCIDs the user PCID is not the
    // current one: its next switch (the return to user mode) goes without NOFLUSH once (Linux's
    // invalidate_user_asid); the entry code puts NOFLUSH back at the next kernel entry.
    if (entry_mode == abi::EntryMode::PtiPcid) {
        volatile CeaVars& v = cea_vars();
        v.user_cr3_bits = v.user_cr3_bits & ~x86::kCr3NoFlush;
        user_flush_pending = true;
    }
    write_cr3(read_cr3());
}

}  // namespace lstar::kernel
