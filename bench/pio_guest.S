/* A minimal kernel for lstar's boot protocol that measures the port-I/O exit round trip.
 *
 * Command line "n=N" runs N iterations of `outb %al,%dx` to the null port (abi::kPortNull) in
 * ring 0; "n=N nop" runs the same loop with a `nop` in place of the `outb`. On this project's
 * software KVM ring-0 code is emulated (about 1 us an instruction), so the exit round trip is the
 * difference of the two runs divided by N. (The loop cannot run in ring 3: kvm_pvm keeps IOPL at
 * 0 for user mode, so port I/O from ring 3 faults.) Then it writes status 0 to the exit port. */
#include "min_kernel.h"
	.globl _start
_start:	/* RDI = BootInfo (phys); cmdline at +128 */
	movabs	$PAGE_OFFSET, %rsi
	lea	128+2(%rdi,%rsi), %rsi		/* skip "n=" */
	xor	%ecx, %ecx
1:	movzbl	(%rsi), %eax
	sub	$'0', %eax
	cmp	$9, %eax
	ja	2f
	imul	$10, %rcx, %rcx
	add	%rax, %rcx
	inc	%rsi
	jmp	1b
2:	mov	$PORT_NULL, %dx			/* ports above 0xff need DX */
	cmpl	$0x706f6e20, (%rsi)		/* " nop" (the monitor appends its own tokens after ours) */
	je	nop_loop
	test	%rcx, %rcx
	jz	done
3:	outb	%al, %dx
	dec	%rcx
	jnz	3b
	jmp	done
nop_loop:
	test	%rcx, %rcx
	jz	done
4:	nop
	dec	%rcx
	jnz	4b
done:	xor	%eax, %eax
	mov	$PORT_EXIT, %dx
	outl	%eax, %dx
	hlt
