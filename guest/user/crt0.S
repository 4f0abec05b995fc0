/* crt0 for lstar user programs: the process entry point.
 * The kernel starts us with Linux's initial stack: [rsp] = argc, then argv[0..argc-1], NULL,
 * envp..., NULL, auxv pairs. We call main(argc, argv) and hand its return value to exit_group. */
	.section .text.start, "ax"
	.globl _start
	.type _start, @function
_start:
	xorl	%ebp, %ebp		/* outermost frame */
	movq	(%rsp), %rdi		/* argc */
	leaq	8(%rsp), %rsi		/* argv */
	andq	$-16, %rsp		/* the ABI wants 16-byte alignment at the call */
	call	main
	movl	%eax, %edi		/* exit_group(main's return value) */
	movl	$231, %eax
	syscall
1:	jmp	1b			/* exit_group does not return */
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
