/* A foreign multiboot v1 kernel: 32-bit protected mode, paging off, EAX = 0x2badb002, EBX =
 * multiboot_info. Prints a greeting, the command line, and each module's command line and size on
 * COM1, then exits through isa-debug-exit with 0x2a (status 85). Built as an ELF32 (mb_hello.elf),
 * an ELF64 with the same load addresses (mb_hello64.elf, lstar only: QEMU refuses 64-bit
 * multiboot ELFs) and a flat binary loaded by the header's address fields (mb_hello_flat.bin). */
#include "multiboot_header.h"

	.text
	.code32
	.globl _start
_start:
	mov	$stack_top, %esp
	mov	%ebx, %edi			/* multiboot_info */
	mov	%eax, %ebp
	call	serial_init
	mov	$hello, %esi
	call	puts
	cmp	$0x2badb002, %ebp
	jne	bad
	mov	$cmdline, %esi
	call	puts
	testl	$4, (%edi)			/* flags: cmdline valid */
	jz	1f
	mov	16(%edi), %esi
	call	puts
1:	mov	$quote_nl, %esi
	call	puts
	testl	$8, (%edi)			/* flags: mods valid */
	jz	done
	mov	20(%edi), %ecx			/* mods_count */
	mov	24(%edi), %ebx			/* mods_addr */
	jecxz	done
2:	mov	$module, %esi
	call	puts
	mov	8(%ebx), %esi			/* the module's command line */
	call	puts
	mov	$size, %esi
	call	puts
	mov	4(%ebx), %eax
	sub	(%ebx), %eax			/* mod_end - mod_start */
	call	puthex
	mov	$first, %esi
	call	puts
	mov	(%ebx), %esi			/* its first bytes, up to a newline */
3:	lodsb
	cmp	$'\n', %al
	je	4f
	call	putc
	jmp	3b
4:	mov	$nl, %esi
	call	puts
	add	$16, %ebx
	loop	2b
done:	mov	$0x2a, %al
	jmp	exit
bad:	mov	$0x7d, %al
	jmp	exit

#include "foreign32.h"

	.section .rodata, "a"
hello:	.asciz "hello from a multiboot kernel (32-bit entry, paging off)\n"
cmdline: .asciz "cmdline: \""
quote_nl: .asciz "\"\n"
module:	.asciz "module: "
size:	.asciz ", size "
first:	.asciz ", first line: "
nl:	.asciz "\n"
	.bss
	.balign 16
	.skip 4096
stack_top:
