/* Hostile event records: an address outside RAM, a bad magic, an impossible size, a record that
 * runs past the end of RAM, a log record that claims more text than it holds, an unknown type.
 * lstar must refuse each with a reason and go on; then the guest exits 0. */
#include "min_kernel.h"
#define MAGIC 0x5645534c
	.globl _start
_start:
	lea	min_stack_top(%rip), %rsp
	mov	$PORT_EVENT, %dx
	mov	$0xfffffff0, %eax		/* outside guest RAM */
	outl	%eax, %dx
	lea	bad_magic(%rip), %rax
	call	send
	lea	huge(%rip), %rax
	call	send
	lea	log_overflow(%rip), %rax
	call	send
	lea	unknown_type(%rip), %rax
	call	send
	/* A record whose header sits in the last 8 bytes of RAM (RAM size from BootInfo + 24). */
	movabs	$PAGE_OFFSET, %rbx
	mov	24(%rdi,%rbx), %rax		/* BootInfo.ram_bytes */
	sub	$8, %rax
	lea	(%rax,%rbx), %rcx
	movl	$MAGIC, (%rcx)
	movl	$0x01000001, 4(%rcx)		/* type 1 (syscall_enter), size 256 */
	outl	%eax, %dx
	xor	%eax, %eax
	mov	$PORT_EXIT, %dx
	outl	%eax, %dx
	hlt
send:	/* RAX = kernel virtual address of a record: send its physical address */
	movabs	$0xffffffff80000000, %rsi
	sub	%rsi, %rax
	outl	%eax, %dx
	ret

	.data
	.balign 16
bad_magic:	.long 0x12345678, 0x00100001, 0, 0
huge:		.long MAGIC, 0xf0000001		/* type 1, size 0xf000 */
		.fill 8, 1, 0
log_overflow:	.long MAGIC, (6 | (256 << 16)), 1000, 0	/* type Log, size 256, len 1000 */
		.fill 240, 1, 'A'
unknown_type:	.long MAGIC, (77 | (16 << 16)), 0, 0
	.text
