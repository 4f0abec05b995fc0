/* A flood that never ends: OUTs to a port nothing serves (0x61), one VM exit each, until the
 * monitor stops the guest. For the tests that close the exit log's pipe while the guest floods it:
 * the flood is still going whenever the pipe closes, however fast or slow the KVM is. */
#include "min_kernel.h"
	.globl _start
_start:
	mov	$0x61, %dx
1:	outb	%al, %dx
	inc	%al
	jmp	1b
	.section .note.GNU-stack, "", @progbits
