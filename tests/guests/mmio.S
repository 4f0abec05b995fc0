/* MMIO to a guest-physical address with no RAM or device behind it, at every width. It maps
 * 2 MiB at the direct-map address of GPA 1 GiB (past any RAM lstar gives) and reads and writes
 * 1, 2, 4 and 8 bytes there. lstar must log each access and complete reads with all ones.
 * Exit status 0 when every read returned all ones, else 1. */
#include "min_kernel.h"
#define HOLE_GPA 0x40000000
	.globl _start
_start:
	mov	%cr3, %rax
	movabs	$PAGE_OFFSET, %rbx
	add	%rbx, %rax			/* the boot PML4 through the direct map */
	mov	0x888 (%rax), %rcx		/* PML4[273]: the direct map's PDPT (PAGE_OFFSET >> 39 & 511) */
	and	$~0xfff, %rcx
	add	%rbx, %rcx
	lea	pd(%rip), %rdx
	movabs	$0xffffffff80000000, %rsi
	sub	%rsi, %rdx			/* physical address of our PD */
	or	$3, %rdx			/* P W */
	mov	%rdx, 8(%rcx)			/* PDPT[1]: GPA 1 GiB .. 2 GiB */
	movq	$(HOLE_GPA | 0x83), pd(%rip)	/* PD[0]: 2 MiB page P W PS */
	mov	%cr3, %rax
	mov	%rax, %cr3
	movabs	$(PAGE_OFFSET + HOLE_GPA), %rdi
	xor	%r8d, %r8d			/* failures */
	movb	(%rdi), %al
	cmp	$0xff, %al
	setne	%r9b
	or	%r9d, %r8d
	movw	(%rdi), %ax
	cmp	$0xffff, %ax
	setne	%r9b
	or	%r9d, %r8d
	movl	(%rdi), %eax
	cmp	$0xffffffff, %eax
	setne	%r9b
	or	%r9d, %r8d
	movq	(%rdi), %rax
	cmp	$-1, %rax
	setne	%r9b
	or	%r9d, %r8d
	movb	$1, (%rdi)
	movw	$2, (%rdi)
	movl	$3, (%rdi)
	movq	$4, (%rdi)
	movzbl	%r8b, %eax
	mov	$PORT_EXIT, %dx
	outl	%eax, %dx
	hlt
	.data
	.balign 4096
pd:	.fill 512, 8, 0
	.text
