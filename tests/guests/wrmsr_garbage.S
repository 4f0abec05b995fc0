/* A PVH kernel (32-bit entry, paging off) for `lstar run --msr-setup guest`, where the monitor
 * traps the syscall MSRs: a valid WRMSR of STAR, a RDMSR of it back, then a WRMSR of a
 * non-canonical address to LSTAR, which the hardware refuses with #GP. There is no IDT, so
 * that #GP ends in a triple fault; if the write were wrongly accepted, exit 1 instead. */
	.section .note.Xen, "a"
	.balign 4
	.long 4, 4, 18			/* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long _start			/* the physical 32-bit entry */

	.text
	.code32
	.globl _start
_start:
	mov	$0xc0000081, %ecx		/* IA32_STAR */
	xor	%eax, %eax			/* STAR[31:0] is unused in 64-bit mode */
	mov	$0x00230010, %edx
	wrmsr
	rdmsr
	cmp	$0x00230010, %edx
	jne	fail
	mov	$0xc0000082, %ecx		/* IA32_LSTAR */
	xor	%eax, %eax
	mov	$0x80000000, %edx		/* 0x8000000000000000: not canonical */
	wrmsr					/* #GP -> no IDT -> triple fault */
fail:	mov	$1, %eax
	mov	$0xec4, %dx
	outl	%eax, %dx
	hlt
	.section .note.GNU-stack, "", @progbits
