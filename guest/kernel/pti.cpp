// Page-table isolation, as Linux 4.15 introduced it (compare arch/x86/mm/pti.c and tlb.c), for the
// one process this kernel runs: lstar.entry=pti or pti-pcid.
//
// The process gets a PGD pair, 8 KiB-aligned: the kernel PGD, and the user PGD at + 4 KiB, so that
// CR3 bit 12 selects the half (PTI_USER_PGTABLE_MASK). The kernel PGD maps everything the boot page
// table maps (its kernel half is copied); the user PGD maps the user program (map_page puts every
// user-half PML4 entry in both) and, of the kernel half, ONLY the cpu_entry_area. Every entry from
// ring 3 therefore starts in the entry area with the user CR3 and switches (entry_64.S); every
// return switches back.
//
// pti-pcid: CR4.PCIDE, kernel PCID 1 and user PCID 1 | bit 11 (Linux's kern_pcid/user_pcid), and
// CR3 bit 63 (NOFLUSH) on the switches, so that neither half's TLB entries are thrown away.
#include "kernel.hpp"
#include "mm.hpp"
#include "printk.hpp"
#include "processor.hpp"
#include "x86/descriptor.hpp"
#include "x86/msr.hpp"
#include "x86/paging.hpp"
#include "x86/selectors.hpp"

namespace lstar::kernel {

namespace {

struct __attribute__((packed)) DescPtr {
    uint16_t limit;
    uint64_t base;
};

}  // namespace

bool pti_init(bool pcid) {
    const uint64_t pgd = memblock_alloc(2 * x86::kPageSize, 2 * x86::kPageSize);
    if (!pgd) return false;
    uint64_t* kernel_pgd = phys_to_virt<uint64_t>(pgd);
    const uint64_t* boot_pgd = phys_to_virt<const uint64_t>(current_pgd_phys);
    memcpy(kernel_pgd + 256, boot_pgd + 256, 256 * sizeof(uint64_t));  // the kernel half, one rep movsb
    kernel_pgd[512 + CEA_PML4_INDEX] = boot_pgd[CEA_PML4_INDEX];       // the user PGD: the entry area
    current_pgd_phys = pgd;

    volatile CeaVars& v = cea_vars();
    v.user_cr3_bits = PTI_USER_PGTABLE_MASK | (pcid ? PTI_USER_PCID_MASK | x86::kCr3NoFlush : 0);
    v.kernel_noflush = pcid ? x86::kCr3NoFlush : 0;
    v.pti = 1;

    // Entries from ring 3 land on the entry stack: the task stack is not in the user PGD.
    reinterpret_cast<x86::Tss64*>(cpu_tss)->rsp[0] = CEA_ENTRY_STACK_TOP;

    // Global TLB entries would outlive the switch to the user CR3; Linux clears _PAGE_GLOBAL on the
    // kernel's mappings under PTI. The monitor's kernel map is global, so turn global pages off.
    uint64_t cr4 = read_cr4() & ~x86::kCr4Pge;
    if (pcid) cr4 |= x86::kCr4Pcide;  // allowed now: CR3[11:0] is 0
    write_cr4(cr4);
    write_cr3(pgd | (pcid ? KERNEL_PCID : 0));

    // The CPU reads the GDT and the TSS on every entry from ring 3, with the user CR3: use their
    // entry-area aliases (PVH's head has done so already).
    if (!pvh_boot) {
        const DescPtr gdt{x86::kGdtEntries * 8 - 1, CEA_GDT};
        asm volatile("lgdt %0; ltr %w1" : : "m"(gdt), "r"(x86::kTssSel) : "memory");
    }
    return true;
}

}  // namespace lstar::kernel
