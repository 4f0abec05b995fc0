/* A multiboot kernel that touches what no device serves: five INs from port 0x1234 and four
 * 32-bit MMIO reads and a write at 0xd0000000 (no RAM, no device; paging is off, so that is the
 * physical address). Every read must return all ones and the run must go on: it then writes the
 * number of reads that did not to isa-debug-exit (0: status 1). */
#include "multiboot_header.h"

	.text
	.code32
	.globl _start
_start:
	xor	%edi, %edi			/* failures */
	mov	$0x1234, %dx
	mov	$5, %ecx
1:	in	%dx, %al
	cmp	$0xff, %al
	setne	%bl
	movzbl	%bl, %ebx
	add	%ebx, %edi
	loop	1b
	mov	$4, %ecx
2:	mov	0xd0000000, %eax
	cmp	$0xffffffff, %eax
	setne	%bl
	movzbl	%bl, %ebx
	add	%ebx, %edi
	loop	2b
	movl	$1, 0xd0000000
	mov	%edi, %eax
	jmp	exit

#include "foreign32.h"
