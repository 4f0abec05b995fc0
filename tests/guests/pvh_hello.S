/* A foreign PVH kernel: entered at the XEN_ELFNOTE_PHYS32_ENTRY address in 32-bit protected mode,
 * paging off, EBX = hvm_start_info. Prints a greeting, the command line and the module count on
 * COM1, then exits through isa-debug-exit with 0x21 (status 67). Booted by lstar and QEMU alike. */
	.section .note.Xen, "a"
	.balign 4
	.long 4, 4, 18			/* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long _start

	.text
	.code32
	.globl _start
_start:
	mov	$stack_top, %esp
	mov	%ebx, %edi			/* hvm_start_info */
	call	serial_init
	mov	$hello, %esi
	call	puts
	cmpl	$0x336ec578, (%edi)		/* XEN_HVM_START_MAGIC_VALUE */
	jne	bad
	mov	$cmdline, %esi
	call	puts
	mov	24(%edi), %esi			/* cmdline_paddr (low half) */
	test	%esi, %esi
	jz	1f
	call	puts
1:	mov	$quote_nl, %esi
	call	puts
	mov	$modules, %esi
	call	puts
	mov	12(%edi), %eax			/* nr_modules */
	call	puthex
	mov	$nl, %esi
	call	puts
	mov	$0x21, %al
	jmp	exit
bad:	mov	$0x7d, %al
	jmp	exit

#include "foreign32.h"

	.section .rodata, "a"
hello:	.asciz "hello from a PVH kernel (32-bit entry, paging off)\n"
cmdline: .asciz "cmdline: \""
quote_nl: .asciz "\"\n"
modules: .asciz "modules: "
nl:	.asciz "\n"
	.bss
	.balign 16
	.skip 4096
stack_top:
