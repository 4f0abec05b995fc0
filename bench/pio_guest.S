/* A minimal kernel for lstar's boot protocol that measures the port-I/O exit round trip.
 *
 * Command line "n=N" runs N iterations of `outb %al,%dx` to the null port (abi::kPortNull) in
 * ring 0; "n=N nop" runs the same loop with a `nop` in place of the `outb`. On this project's
 * software KVM ring-0 code is emulated (about 1 us an instruction), so the exit round trip is the
 * difference of the two runs divided by N. (The loop cannot run in ring 3: kvm_pvm keeps IOPL at
 * 0 for user mode, so port I/O from ring 3 faults.) Then it writes status 0 to the exit port.
 * "n=N hlt" runs N `hlt` (a HLT exit each; with interrupts off, a monitor that resumes it just
 * halts again: bench/raw_kvm -H does, lstar ends the run at the first), "n=N mmio" N byte writes to
 * a guest-physical address with no RAM behind it (an MMIO exit each), as tests/guests/mmio.S.
 * "n=N blk" (port I/O) and "n=N bmm" (MMIO) time the exits from inside, in BLOCKS blocks of a
 * `nop` loop of N then an exit loop of N, with RDTSC around each, and print on the console port
 * "pio_guest: block_exits=N nop_min=A exit_min=B" (the fewest cycles any block took): a monitor
 * descheduled by a loaded host lengthens some blocks, not the least one. */
#include "min_kernel.h"
#define BLOCKS 40
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
2:	xor	%r11d, %r11d			/* blocks: 0 port I/O, 1 MMIO */
	mov	$PORT_NULL, %dx			/* ports above 0xff need DX */
	cmpl	$0x6b6c6220, (%rsi)		/* " blk" */
	je	blocks
	cmpl	$0x6d6d6220, (%rsi)		/* " bmm" */
	je	mmio_blocks
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
mmio_blocks:
	mov	$1, %r11d
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
	test	%r11, %r11
	jnz	blocks
	test	%rcx, %rcx
	jz	done
6:	movb	%al, (%rdi)
	dec	%rcx
	jnz	6b
blocks:	/* RCX = exits per block, R11 = 0 port I/O or 1 MMIO (RDI = the hole) */
	lea	min_stack_top(%rip), %rsp
	test	%rcx, %rcx
	jz	done
	mov	%rcx, %r15
	mov	$-1, %r12			/* the fewest cycles of a nop block */
	mov	$-1, %r13			/* the fewest cycles of an exit block */
	mov	$BLOCKS, %r14d
10:	rdtsc
	shl	$32, %rdx
	or	%rax, %rdx
	mov	%rdx, %r8
	mov	%r15, %rcx
11:	nop
	dec	%rcx
	jnz	11b
	rdtsc
	shl	$32, %rdx
	or	%rax, %rdx
	mov	%rdx, %r9
	sub	%r8, %rdx
	cmp	%r12, %rdx
	cmovb	%rdx, %r12
	mov	%r15, %rcx
	mov	$PORT_NULL, %dx
	test	%r11, %r11
	jnz	13f
12:	outb	%al, %dx
	dec	%rcx
	jnz	12b
	jmp	14f
13:	movb	%al, (%rdi)
	dec	%rcx
	jnz	13b
14:	rdtsc
	shl	$32, %rdx
	or	%rax, %rdx
	sub	%r9, %rdx
	cmp	%r13, %rdx
	cmovb	%rdx, %r13
	dec	%r14d
	jnz	10b
	lea	msg_exits(%rip), %rsi
	call	puts
	mov	%r15, %rax
	call	putdec
	lea	msg_nop(%rip), %rsi
	call	puts
	mov	%r12, %rax
	call	putdec
	lea	msg_exit(%rip), %rsi
	call	puts
	mov	%r13, %rax
	call	putdec
	lea	msg_nl(%rip), %rsi
	call	puts
done:	xor	%eax, %eax
	mov	$PORT_EXIT, %dx
	outl	%eax, %dx
	hlt
puts:	/* the NUL-terminated string at RSI to the console port */
	mov	$PORT_CONSOLE, %dx
1:	movzbl	(%rsi), %eax
	test	%al, %al
	jz	2f
	outb	%al, %dx
	inc	%rsi
	jmp	1b
2:	ret
putdec:	/* RAX in decimal */
	lea	dec_end(%rip), %rsi
	mov	$10, %ecx
1:	xor	%edx, %edx
	div	%rcx
	add	$'0', %dl
	dec	%rsi
	mov	%dl, (%rsi)
	test	%rax, %rax
	jnz	1b
	jmp	puts
	.section .rodata
msg_exits: .asciz "pio_guest: block_exits="
msg_nop: .asciz " nop_min="
msg_exit: .asciz " exit_min="
msg_nl:	.asciz "\n"
	.data
dec_buf: .fill 24, 1, 0
dec_end: .byte 0
	.balign 4096
hole_pd: .fill 512, 8, 0
	.text
