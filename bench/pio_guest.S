/* A minimal kernel for lstar's boot protocol that measures the port-I/O exit round trip.
 *
 * Command line "n=N" runs N iterations of `outb %al,%dx` to the null port (abi::kPortNull) in
 * ring 0; "n=N nop" runs the same loop with a `nop` in place of the `outb`. On this project's
 * software KVM ring-0 code is emulated (about 1 us an instruction), so the exit round trip is the
 * difference of the two runs divided by N. (The loop cannot run in ring 3: kvm_pvm keeps IOPL at
 * 0 for user mode, so port I/O from ring 3 faults.) Then it writes status 0 to the exit port.
 * "n=N hlt" runs N `hlt` (a HLT exit each; with interrupts off, a monitor that resumes it just
 * halts again: bench/raw_kvm -H does, lstar ends the run at the first), "n=N mmio" N byte writes to
 * a guest-physical address with no RAM behind it (an MMIO exit each), as tests/guests/mmio.S. */
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
	cmpl	$0x746c6820, (%rsi)		/* " hlt" */
	je	hlt_loop
	cmpl	$0x696d6d20, (%rsi)		/* " mmi(o)" */
	je	mmio_loop
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
hlt_loop:
	test	%rcx, %rcx
	jz	done
5:	hlt
	dec	%rcx
	jnz	5b
	jmp	done
mmio_loop:				/* map GPA 1 GiB (a hole) at PAGE_OFFSET + 1 GiB, as mmio.S */
	mov	%cr3, %rax
	movabs	$PAGE_OFFSET, %rbx
	add	%rbx, %rax
	mov	0x888(%rax), %r8		/* PML4[273]: the direct map's PDPT */
	and	$~0xfff, %r8
	add	%rbx, %r8
	lea	hole_pd(%rip), %r9
	movabs	$0xffffffff80000000, %r10
	sub	%r10, %r9
	or	$3, %r9
	mov	%r9, 8(%r8)			/* PDPT[1] */
	movq	$(0x40000000 | 0x83), hole_pd(%rip)
	mov	%cr3, %rax
	mov	%rax, %cr3
	movabs	$(PAGE_OFFSET + 0x40000000), %rdi
	test	%rcx, %rcx
	jz	done
6:	movb	%al, (%rdi)
	dec	%rcx
	jnz	6b
done:	xor	%eax, %eax
	mov	$PORT_EXIT, %dx
	outl	%eax, %dx
	hlt
	.data
	.balign 4096
hole_pd: .fill 512, 8, 0
	.text
