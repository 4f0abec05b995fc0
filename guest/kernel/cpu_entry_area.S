/* The cpu_entry_area's contents and the page tables that map it (see cpu_entry_area.h).
 *
 *   .entry.data (linked at CEA_DATA)  the entry variables, the entry stack, the IST stacks
 *   gdt_page, idt_table               kernel-image pages the entry area aliases at CEA_GDT/CEA_IDT
 *   cea_pgt_pud/pmd/pte               the entry area's page tables: static, so that mapping it costs
 *                                     one PML4 store (ring 0 is emulated here: every instruction
 *                                     counts). The user page table of a process points its PML4
 *                                     slot 508 at the same cea_pgt_pud.
 * The TSS (cpu_tss, CEA_TSS) is in percpu.S, where the monitor's boot protocol finds it. */
#include "cpu_entry_area.h"

#define KM		0xffffffff80000000	/* __START_KERNEL_map: _pa(x) = x - KM */
#define _PAGE_P		0x1
#define _PAGE_RW	0x2
#define _PAGE_G		0x100
#define _PAGE_NX	0x8000000000000000

/* ---- .entry.data: 5 pages at CEA_DATA ----------------------------------------------------- */
	.section .entry.data, "aw", @progbits
	.globl cpu_entry_area_vars, pti_enabled, pti_user_cr3_bits, pti_kernel_cr3_noflush
	.globl syscall_entry_lstar, syscall_entered_via_pf_shim
cpu_entry_area_vars:			/* struct cea_vars (kernel.hpp) */
pti_enabled:		.quad 0		/* CEA_VAR_PTI */
pti_user_cr3_bits:	.quad 0		/* CEA_VAR_USER_CR3_BITS */
pti_kernel_cr3_noflush:	.quad 0		/* CEA_VAR_KERNEL_NOFLUSH */
syscall_entry_lstar:	.quad entry_SYSCALL_64	/* CEA_VAR_LSTAR: start_kernel sets it by entry mode */
syscall_entered_via_pf_shim: .long 0	/* CEA_VAR_PF_SHIM */
	.long 0
	.if (syscall_entered_via_pf_shim - cpu_entry_area_vars) != CEA_VAR_PF_SHIM
	.error "cea_vars layout"
	.endif

.macro cea_stack name
	.balign 4096
\name:
	.skip	CEA_STACK_TOP_OFF
\name\()_top:
	.skip	4096 - CEA_STACK_TOP_OFF
.endm
	.globl entry_stack_top
	/* The entry ("trampoline") stack: TSS.RSP0 and SYSENTER_ESP in the pti modes. Entries from
	 * ring 3 land here while CR3 may be the user's, then move their frame to the task stack. */
	cea_stack entry_stack
	cea_stack df_stack			/* IST1: #DF */
	cea_stack nmi_stack			/* IST2: NMI */
	cea_stack mc_stack			/* IST3: #MC */

/* ---- pages the entry area aliases, and its page tables ---------------------------------- */
	.section .data..page_aligned, "aw", @progbits
	.balign 4096
	.globl gdt_page
	.type gdt_page, @object
gdt_page:		/* the kernel's own GDT, Linux's layout (shared/x86/selectors.hpp), for PVH and PTI */
	.quad	0
	.quad	0x00cf9b000000ffff		/* 0x08 __KERNEL32_CS */
	.quad	0x00af9b000000ffff		/* 0x10 __KERNEL_CS (L) */
	.quad	0x00cf93000000ffff		/* 0x18 __KERNEL_DS */
	.quad	0x00cffb000000ffff		/* 0x23 __USER32_CS */
	.quad	0x00cff3000000ffff		/* 0x2b __USER_DS */
	.quad	0x00affb000000ffff		/* 0x33 __USER_CS (L) */
	.quad	0
	/* 0x40 TSS: available 64-bit TSS at CEA_TSS, limit 0x67 (Linux points TR at the entry area's TSS) */
	.word	0x67, (CEA_TSS & 0xffff)
	.byte	(CEA_TSS >> 16) & 0xff, 0x89, 0x00, (CEA_TSS >> 24) & 0xff
	.long	CEA_TSS >> 32, 0
	.fill	5, 8, 0
	/* 0x7b GDT_ENTRY_CPUNODE (15): limit = (node << 12) | cpu = 0, DPL 3 read-only expand-down data;
	 * the vDSO's getcpu reads it with LSL (x86::cpunode_descriptor, as the monitor's GDT) */
	.quad	0x0040f50000000000		/* 16 entries, as the monitor's */
	.balign 4096

	.section .bss..page_aligned, "aw", @nobits
	.balign 4096
	.globl idt_table
idt_table:		/* 256 gates of 16 bytes: exactly one page (idt.cpp fills it) */
	.skip	4096

	.section .data..page_aligned, "aw", @progbits
	.balign 4096
	.globl cea_pgt_pud
cea_pgt_pud:		/* PML4[508] -> here; [0] covers CEA_BASE */
	.quad	cea_pgt_pmd - KM + (_PAGE_P | _PAGE_RW)
	.fill	511, 8, 0
cea_pgt_pmd:
	.quad	cea_pgt_pte - KM + (_PAGE_P | _PAGE_RW)
	.fill	511, 8, 0
cea_pgt_pte:		/* supervisor-only (no _PAGE_USER anywhere), global */
	.quad	idt_table - KM + (_PAGE_P | _PAGE_G | _PAGE_NX)		/* CEA_IDT, read-only */
	.quad	gdt_page - KM + (_PAGE_P | _PAGE_RW | _PAGE_G | _PAGE_NX)	/* CEA_GDT (ltr writes the busy bit) */
	.quad	cpu_tss - KM + (_PAGE_P | _PAGE_RW | _PAGE_G | _PAGE_NX)	/* CEA_TSS */
	.set	.Lpg, 0
	.rept	CEA_DATA_PAGES
	.quad	__entry_area_image - KM + .Lpg * 4096 + (_PAGE_P | _PAGE_RW | _PAGE_G | _PAGE_NX)
	.set	.Lpg, .Lpg + 1
	.endr
	.rept	CEA_TEXT_PAGES
	.quad	__entry_area_image - KM + .Lpg * 4096 + (_PAGE_P | _PAGE_G)	/* CEA_TEXT: R X */
	.set	.Lpg, .Lpg + 1
	.endr
	.fill	512 - 3 - CEA_DATA_PAGES - CEA_TEXT_PAGES, 8, 0

	.section .note.GNU-stack, "", @progbits
