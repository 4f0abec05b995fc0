/* The cpu_entry_area (compare Linux 4.15's arch/x86/include/asm/cpu_entry_area.h): one fixed
 * virtual range that holds everything the CPU and the first instructions of every kernel entry
 * touch while CR3 may still be the *user* page table (PTI). It is mapped supervisor-only in both
 * the kernel and the user page tables; the user table maps nothing else of the kernel half.
 *
 *   CEA_IDT   +0x0000  alias of idt_table (read-only)      the CPU reads gates here
 *   CEA_GDT   +0x1000  alias of gdt_page                   ...the gate's CS descriptor here
 *   CEA_TSS   +0x2000  alias of cpu_tss's page             ...RSP0 and the IST stacks here
 *   CEA_DATA  +0x3000  .entry.data, linked here: the entry variables, the entry (trampoline)
 *                      stack, the #DF/NMI/#MC IST stacks
 *   CEA_TEXT  +0x8000  .entry.text, linked here: entry_SYSCALL_64_trampoline, entry_SYSCALL_64,
 *                      entry_INT80_compat, entry_SYSENTER_compat, the exception stubs, the exits
 *
 * The static page tables that map it are in cpu_entry_area.S. Shared by assembly and C++. */
#pragma once

#ifdef __ASSEMBLER__
#define _CEA_UL(x) x
#else
#define _CEA_UL(x) x##ull
#endif

#define CEA_BASE	_CEA_UL(0xfffffe0000000000)	/* PML4 slot 508, as Linux 4.15's CPU_ENTRY_AREA_BASE */
#define CEA_PML4_INDEX	508
#define CEA_IDT		(CEA_BASE + 0x0000)
#define CEA_GDT		(CEA_BASE + 0x1000)
#define CEA_TSS		(CEA_BASE + 0x2000)
#define CEA_DATA	(CEA_BASE + 0x3000)
#define CEA_DATA_PAGES	5
#define CEA_TEXT	(CEA_BASE + 0x8000)
#define CEA_TEXT_PAGES	2

/* The entry variables at CEA_DATA (struct cea_vars in kernel.hpp). */
#define CEA_VAR_PTI		0	/* 1 in the pti modes: exits switch CR3, entries from ring 3 copy their frame */
#define CEA_VAR_USER_CR3_BITS	8	/* OR'ed into CR3 to reach the user table (bit 12; PCID: | bit 11 | NOFLUSH) */
#define CEA_VAR_KERNEL_NOFLUSH	16	/* OR'ed into the kernel CR3 on entry (bit 63 with PCID, else 0) */
#define CEA_VAR_LSTAR		24	/* what IA32_LSTAR holds: the #PF shim compares against it */
#define CEA_VAR_PF_SHIM		32	/* u32: set by syscall_pf_shim, read and cleared by do_syscall_64 */

/* Stacks in .entry.data: one page each, the top 64 bytes below the next page (a gap, so that a
 * top is never symbolized as the next stack's base). */
#define CEA_STACK_TOP_OFF	0xfc0
#define CEA_ENTRY_STACK_TOP	(CEA_DATA + 0x1000 + CEA_STACK_TOP_OFF)
#define CEA_DF_STACK_TOP	(CEA_DATA + 0x2000 + CEA_STACK_TOP_OFF)
#define CEA_NMI_STACK_TOP	(CEA_DATA + 0x3000 + CEA_STACK_TOP_OFF)
#define CEA_MC_STACK_TOP	(CEA_DATA + 0x4000 + CEA_STACK_TOP_OFF)

/* The task stack's own range (percpu.S): Linux's VMALLOC_START, where CONFIG_VMAP_STACK puts
 * kernel stacks. Page 0 is the guard page, the stack is pages 1-4. Not in the user PGD (PTI). */
#define VMAP_STACK_BASE		_CEA_UL(0xffffc90000000000)
#define VMAP_STACK_PML4_INDEX	402

/* CR3 bits of PTI (Linux's PTI_USER_PGTABLE_MASK, PTI_USER_PCID_MASK, X86_CR3_PCID_NOFLUSH). */
#define PTI_USER_PGTABLE_BIT	12
#define PTI_USER_PGTABLE_MASK	(1 << PTI_USER_PGTABLE_BIT)
#define PTI_USER_PCID_MASK	(1 << 11)
#define PTI_SWITCH_MASK		(PTI_USER_PGTABLE_MASK | PTI_USER_PCID_MASK)
#define KERNEL_PCID		1	/* Linux's kern_pcid(0) = ASID 0 + 1; the user PCID is 1 | bit 11 */

/* Vectors of the software doors (Linux's IA32_SYSCALL_VECTOR), and the number the SYSENTER entry
 * hands to the common entry code (not an IDT vector: SYSENTER uses no gate). */
#define IA32_SYSCALL_VECTOR	0x80
#define SYSENTER_PSEUDO_VECTOR	0x100
