/* The kernel's first instruction (compare Linux's arch/x86/kernel/head_64.S, much reduced).
 *
 * lstar's boot protocol (shared/boot_protocol.hpp) enters here already in 64-bit mode, with the
 * monitor's page tables, GDT, TSS (TR = cpu_tss) and syscall MSRs in place. RDI = physical address
 * of BootInfo, RSI = kBootMagic, RSP undefined: all we do is take a stack and go to C++. */
	.section .head.text, "ax"
	.globl _start
	.type _start, @function
_start:
	movq	$boot_stack_top, %rsp	/* a kernel-map address: a sign-extended imm32 */
	xorl	%ebp, %ebp		/* terminate frame-pointer chains */
	call	start_kernel		/* (RDI, RSI) = (bootinfo_phys, magic), untouched */
1:	cli				/* start_kernel never returns */
	hlt
	jmp	1b
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
