/* A flood: 1000 rounds of 16 OUTs to a port nothing serves (0x61) and a 16-byte line on the
 * console (rep outsb to port 0xe9), as fast as the guest can make them. A round is 16 exits for
 * the OUTs, plus 16 for the line where KVM exits once per byte of a rep outsb (kvm_pvm) or 1 where
 * it hands the whole string over in one exit (VT-x, AMD-V): 17000 to 32000 exits, an exit log well
 * past 1 MiB on every kind of KVM. lstar must pass every console byte to stdout, keep its memory
 * bounded, and keep the exit log within --exit-log-limit: the first and the last records, with a
 * count of the ones dropped. Exit status 0. */
#include "min_kernel.h"
#define ROUNDS 1000
	.globl _start
_start:
	mov	$ROUNDS, %ebx
1:	mov	$0x61, %dx
	mov	%bl, %al
	mov	$16, %ecx
2:	outb	%al, %dx
	loop	2b
	lea	line(%rip), %rsi
	mov	$16, %ecx
	mov	$PORT_CONSOLE, %dx
	rep outsb
	dec	%ebx
	jnz	1b
	xor	%eax, %eax
	mov	$PORT_EXIT, %dx
	outl	%eax, %dx
	hlt

	.section .rodata
line:	.ascii	"flood: 16 bytes\n"
	.section .note.GNU-stack, "", @progbits
