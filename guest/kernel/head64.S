/* The kernel's first instructions (compare Linux's arch/x86/kernel/head_64.S and
 * arch/x86/platform/pvh/head.S, much reduced). Two ways in:
 *
 *   _start         lstar's 64-bit boot protocol: already in 64-bit mode with the monitor's page
 *                  tables, GDT, TSS and (usually) syscall MSRs. RDI = BootInfo (physical), RSI =
 *                  kBootMagic, RSP undefined: take a stack and go to C++.
 *   pvh_start_xen  PVH (XEN_ELFNOTE_PHYS32_ENTRY, elfnote.S), as QEMU's -kernel and `lstar run
 *                  --msr-setup guest` start it: 32-bit protected mode, paging off, flat CS/DS,
 *                  EBX = hvm_start_info (physical). Build long mode ourselves, then the same C++.
 */
#include "cpu_entry_area.h"

#define KM		0xffffffff80000000	/* __START_KERNEL_map */
#define _pa(x)		((x) - KM)
#define __KERNEL_CS	0x10
#define __KERNEL_DS	0x18
#define __TSS		0x40
#define MSR_EFER	0xc0000080
#define EFER_LME	(1 << 8)
#define EFER_NXE	(1 << 11)
#define CR0_BOOT	0x80010033	/* PG WP NE ET MP PE: what lstar's monitor sets */
#define CR4_BOOT	0x6a0		/* OSXMMEXCPT OSFXSR PGE PAE: likewise */
#define PMD_KERNEL	0x183		/* present, writable, 2 MiB, global */
#define PMD_DIRECT	0x083		/* present, writable, 2 MiB; NX in the high dword */
#define MAX_MAPPED	0x40000000	/* both maps cover at most 1 GiB: one page directory each */

	.section .head.text, "ax"
	.globl _start
	.type _start, @function
_start:
	movq	$boot_stack_top, %rsp	/* a kernel-map address: a sign-extended imm32 */
	xorl	%ebp, %ebp		/* terminate frame-pointer chains */
	call	start_kernel		/* (RDI, RSI) = (bootinfo_phys, magic), untouched */
1:	cli				/* start_kernel never returns */
	hlt
	jmp	1b
	.size _start, . - _start

/*
 * PVH entry. Runs at its physical address (VMA - KM) with paging off, so every address is _pa().
 * Builds the two 2 MiB-page maps of lstar's boot protocol (kernel map at KM, direct map at
 * PAGE_OFFSET) over min(RAM, 1 GiB), RAM being the highest end of a RAM range in the memmap.
 * Everything else is static (below): the PML4, the PUDs, and the cpu_entry_area's tables. No
 * memory is cleared (RAM and .bss are zero) and no 1 GiB pages are used (this host has none).
 * PML4[0] maps the first GiB 1:1 just long enough to turn paging on under our own feet.
 */
	.code32
	.globl pvh_start_xen
	.type pvh_start_xen, @function
pvh_start_xen:
	cld
	movl	%ebx, %esi			/* hvm_start_info: ESI survives into 64-bit mode */
	lgdt	_pa(gdt_ptr32)
	movl	$__KERNEL_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss

	/* EDX = RAM end: the highest end of a type-1 range in hvm_start_info's memmap (version 1). */
	movl	40(%esi), %edi			/* memmap_paddr (below 4 GiB) */
	movl	48(%esi), %ecx			/* memmap_entries */
	xorl	%edx, %edx
	jecxz	3f
2:	cmpl	$1, 16(%edi)			/* type == RAM? */
	jne	4f
	movl	$MAX_MAPPED, %eax
	cmpl	$0, 4(%edi)			/* base or size above 4 GiB: cap */
	jne	5f
	cmpl	$0, 12(%edi)
	jne	5f
	movl	(%edi), %eax
	addl	8(%edi), %eax
	jc	4f
5:	cmpl	%edx, %eax
	jbe	4f
	movl	%eax, %edx
4:	addl	$24, %edi
	loop	2b
3:	testl	%edx, %edx			/* no memmap (hvm_start_info version 0): 128 MiB */
	jnz	8f
	movl	$0x8000000, %edx
8:	cmpl	$MAX_MAPPED, %edx
	jbe	6f
	movl	$MAX_MAPPED, %edx
6:	addl	$0x1fffff, %edx			/* EDX = number of 2 MiB pages */
	shrl	$21, %edx

	/* The kernel map and the direct map: one PMD entry of each per 2 MiB. */
	movl	$PMD_KERNEL, %eax
	xorl	%ecx, %ecx
7:	movl	%eax, _pa(early_kernel_pmd)(,%ecx,8)
	leal	PMD_DIRECT - PMD_KERNEL(%eax), %ebx
	movl	%ebx, _pa(early_direct_pmd)(,%ecx,8)
	movl	$0x80000000, _pa(early_direct_pmd) + 4(,%ecx,8)	/* NX */
	addl	$0x200000, %eax
	incl	%ecx
	cmpl	%edx, %ecx
	jb	7b

	/* Long mode: PAE (+PGE ...), CR3, EFER.LME/NXE, then paging. */
	movl	$CR4_BOOT, %eax
	movl	%eax, %cr4
	movl	$_pa(early_top_pgt), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl	$CR0_BOOT, %eax
	movl	%eax, %cr0
	ljmp	$__KERNEL_CS, $_pa(1f)

	.code64
1:	movabsq	$startup_64_pvh, %rax		/* from the 1:1 map up to the kernel map */
	jmp	*%rax
	.size pvh_start_xen, . - pvh_start_xen

	.text
startup_64_pvh:
	lgdt	gdt_ptr64			/* the GDT through the entry area, as Linux */
	movl	$__KERNEL_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	$__TSS, %eax
	ltr	%ax				/* TR = the entry area's alias of cpu_tss */
	movq	$0, early_top_pgt		/* drop the 1:1 map: the lower half is user space */
	movq	%cr3, %rax
	movq	%rax, %cr3
	movq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp
	movl	%esi, %edi			/* hvm_start_info, zero-extended */
	call	xen_prepare_pvh			/* -> RAX = BootInfo (physical) */
	movq	%rax, %rdi
	movabsq	$0x4c53544152424f4f, %rsi	/* lstar::boot::kBootMagic */
	call	start_kernel			/* never returns */
1:	cli
	hlt
	jmp	1b
	.size startup_64_pvh, . - startup_64_pvh

	.section .rodata, "a"
	.balign 8
gdt_ptr32:	.word	16 * 8 - 1		/* lgdt in 32-bit mode: a 32-bit base */
		.long	_pa(gdt_page)
	.balign 8
gdt_ptr64:	.word	16 * 8 - 1
		.quad	CEA_GDT

/* PVH's page tables, all in the image. PML4 slots: 0 (1:1, boot only), 273 PAGE_OFFSET, 402 the
 * task stack, 508 the
 * cpu_entry_area, 511 __START_KERNEL_map. The two PMDs are filled by the loop above. */
	.section .data..page_aligned, "aw", @progbits
	.balign 4096
	.globl early_top_pgt
early_top_pgt:
	.quad	_pa(early_kernel_pmd_pud1) + 3	/* 0: the first GiB 1:1 (via the kernel PMD) */
	.fill	272, 8, 0
	.quad	_pa(early_direct_pud) + 3	/* 273: 0xffff888000000000 */
	.fill	128, 8, 0
	.quad	_pa(task_stack_pud) + 3		/* 402: 0xffffc90000000000, the task stack (percpu.S) */
	.fill	105, 8, 0
	.quad	_pa(cea_pgt_pud) + 3		/* 508: 0xfffffe0000000000 */
	.fill	2, 8, 0
	.quad	_pa(early_kernel_pud) + 3	/* 511: 0xffffff8000000000 */
early_kernel_pud:
	.fill	510, 8, 0
	.quad	_pa(early_kernel_pmd) + 3	/* 510: 0xffffffff80000000 */
	.quad	0
early_direct_pud:
	.quad	_pa(early_direct_pmd) + 3
	.fill	511, 8, 0
early_kernel_pmd_pud1:				/* the 1:1 PUD */
	.quad	_pa(early_kernel_pmd) + 3
	.fill	511, 8, 0

	.section .bss..page_aligned, "aw", @nobits
	.balign 4096
early_kernel_pmd:
	.skip	4096
early_direct_pmd:
	.skip	4096

	.section .note.GNU-stack, "", @progbits
