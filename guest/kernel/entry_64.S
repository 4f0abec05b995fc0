/* Every way into and out of ring 0 after boot (compare Linux's arch/x86/entry/entry_64.S):
 *
 *   asm_exc_*                 one stub per exception vector, then exc_common builds pt_regs
 *                             and calls do_exception(regs, vector) (traps.cpp)
 *   syscall_pf_shim           this host's workaround for SYSCALL staying at CPL 3 (see below)
 *   entry_SYSCALL_64          the SYSCALL entry (LSTAR): pt_regs, do_syscall_64, sysretq
 *   enter_user_mode           the first iretq into a new program
 *
 * Rules for this file: no int3 and no SSE (ring 0 runs in KVM's emulator here, which knows
 * neither), and every path short: each ring-0 instruction costs about 1 us on this host. */
#include "pt_regs.h"

#define __KERNEL_CS	0x10
#define __USER_DS	0x2b
#define __USER_CS	0x33
#define ENOSYS		38
#define X86_EFLAGS_TF	0x100
#define X86_EFLAGS_RF	0x10000
#define SYSCALL_MASK	0x47700		/* lstar::x86::kSyscallMask (MSR_SYSCALL_MASK, "FMASK") */

	.section .entry.text, "ax"

/* pt_regs below pt_regs->di, pushed in the order of struct pt_regs (shared/pt_regs.h). */
.macro PUSH_REGS_AFTER_DI
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	%rax
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
.endm

.macro POP_REGS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax
	popq	%rcx
	popq	%rdx
	popq	%rsi
	popq	%rdi
.endm

/* The stub table idt.cpp walks: exception_stubs[v] is the entry of vector v. */
	.pushsection .rodata.exception_stubs, "a"
	.balign 8
	.globl exception_stubs
exception_stubs:
	.popsection

/* One exception stub. Vectors without a CPU error code get a dummy 0, so that every frame is
 * [error code = pt_regs->orig_ax][rip][cs][rflags][rsp][ss] and exc_common has one layout. */
.macro idtentry vector, sym, has_error_code
	.globl \sym
	.type \sym, @function
\sym:
	.if \has_error_code == 0
	pushq	$0
	.endif
	pushq	%rdi			/* pt_regs->di; RDI now carries the vector */
	movl	$\vector, %edi
	jmp	exc_common
	.size \sym, . - \sym
	.pushsection .rodata.exception_stubs, "a"
	.quad	\sym
	.popsection
.endm

	idtentry  0, asm_exc_divide_error,		0
	idtentry  1, asm_exc_debug,			0
	idtentry  2, asm_exc_nmi,			0
	idtentry  3, asm_exc_int3,			0
	idtentry  4, asm_exc_overflow,			0
	idtentry  5, asm_exc_bounds,			0
	idtentry  6, asm_exc_invalid_op,		0
	idtentry  7, asm_exc_device_not_available,	0
	idtentry  8, asm_exc_double_fault,		1
	idtentry  9, asm_exc_coproc_segment_overrun,	0
	idtentry 10, asm_exc_invalid_tss,		1
	idtentry 11, asm_exc_segment_not_present,	1
	idtentry 12, asm_exc_stack_segment,		1
	idtentry 13, asm_exc_general_protection,	1
	/* vector 14 is asm_exc_page_fault below: its stub begins with the syscall shim */
	.pushsection .rodata.exception_stubs, "a"
	.quad	asm_exc_page_fault
	.popsection
	idtentry 15, asm_exc_spurious,			0
	idtentry 16, asm_exc_coprocessor_error,		0
	idtentry 17, asm_exc_alignment_check,		1
	idtentry 18, asm_exc_machine_check,		0
	idtentry 19, asm_exc_simd_coprocessor_error,	0
	idtentry 20, asm_exc_virtualization,		0
	idtentry 21, asm_exc_control_protection,	1
	idtentry 22, asm_exc_reserved22,		0
	idtentry 23, asm_exc_reserved23,		0
	idtentry 24, asm_exc_reserved24,		0
	idtentry 25, asm_exc_reserved25,		0
	idtentry 26, asm_exc_reserved26,		0
	idtentry 27, asm_exc_reserved27,		0
	idtentry 28, asm_exc_hv_injection,		0
	idtentry 29, asm_exc_vmm_communication,		1
	idtentry 30, asm_exc_security,			1
	idtentry 31, asm_exc_reserved31,		0

/*
 * #PF, vector 14, with THE SYSCALL #PF SHIM at its top.
 *
 * Why: this host's /dev/kvm is kvm_pvm, which runs guest ring 3 natively. Its SYSCALL loads
 * RIP = LSTAR, RCX and R11 correctly but does NOT switch to CPL 0: CS stays __USER_CS. The
 * kernel page at LSTAR is supervisor-only, so the very first fetch of entry_SYSCALL_64 raises
 * #PF (error U|P|I, CR2 = RIP = LSTAR, CS = 0x33, RSP = the user RSP), which, like any
 * exception from ring 3, arrives here at CPL 0 on TSS.RSP0.
 *
 * What: if the frame says "from user mode, at entry_SYSCALL_64", finish the SYSCALL by hand:
 * RFLAGS = R11 & ~FMASK (what SYSCALL would have left; RCX and R11 already hold what SYSCALL put
 * there and are not touched), RSP = the user RSP (as SYSCALL leaves it), note the detour in
 * syscall_entered_via_pf_shim (RIP-relative: GS is still the user's), and jump to
 * entry_SYSCALL_64, which now runs at CPL 0 exactly as after a real SYSCALL. The abandoned
 * #PF frame sits below the syscall stack top, which entry_SYSCALL_64 then reuses.
 *
 * On hardware KVM (VT-x/SVM) and real CPUs SYSCALL does switch to CPL 0, and this never runs.
 * When it does, lstar's output shows it: the SyscallEnter event carries via=PfShim, and the
 * Shutdown event counts via_pf_shim.
 *
 * A ring-3 `jmp` to entry_SYSCALL_64 takes the same #PF and is then handled as a syscall with
 * whatever RCX/R11 hold: exactly what executing `syscall` would have done, so it grants nothing.
 *
 * Any other #PF (frame: err@0 rip@8 cs@16 rflags@24 rsp@32 ss@40) falls through to the
 * normal path.
 */
	.globl asm_exc_page_fault
	.type asm_exc_page_fault, @function
asm_exc_page_fault:
	testb	$3, 16(%rsp)			/* from ring 3? */
	jz	1f
	cmpq	$entry_SYSCALL_64, 8(%rsp)	/* at the syscall entry? (imm32, sign-extended) */
	jne	1f
	.globl syscall_pf_shim
syscall_pf_shim:
	movl	$1, syscall_entered_via_pf_shim(%rip)
	pushq	%r11				/* RFLAGS = R11 & ~FMASK: IF, TF, DF, AC... cleared */
	andq	$~SYSCALL_MASK, (%rsp)
	popfq
	movq	32(%rsp), %rsp			/* RSP = user RSP, as SYSCALL leaves it */
	jmp	entry_SYSCALL_64
1:	pushq	%rdi				/* the normal #PF path */
	movl	$14, %edi
	jmp	exc_common
	.size asm_exc_page_fault, . - asm_exc_page_fault

/*
 * Common exception path. Stack: [pt_regs->di][error code][hardware frame]; RDI = vector.
 * From user mode, swapgs so that the kernel's GS base is the per-CPU area (and back on exit);
 * from kernel mode GS is already the kernel's (or, during boot, still 0: nothing here uses it).
 * NMI/#DF/#MC arrive on IST stacks and take the same path: this kernel has no window in which a
 * kernel-mode frame could carry the user GS base and matter, since do_exception never uses GS.
 */
exc_common:
	cld
	PUSH_REGS_AFTER_DI
	testb	$3, PT_CS(%rsp)
	jz	1f
	swapgs
1:	movq	%rdi, %rsi			/* vector */
	movq	%rsp, %rdi			/* struct pt_regs * */
	call	do_exception
	testb	$3, PT_CS(%rsp)
	jz	restore_regs_and_return_to_kernel
	/* fall through */
	.globl swapgs_restore_regs_and_return_to_usermode
swapgs_restore_regs_and_return_to_usermode:
	POP_REGS
	addq	$8, %rsp			/* orig_ax */
	swapgs
	iretq

restore_regs_and_return_to_kernel:
	POP_REGS
	addq	$8, %rsp
	iretq
	.size exc_common, . - exc_common

/*
 * entry_SYSCALL_64: LSTAR points here (Linux 4.15+ layout, without PTI).
 *
 * On entry (SDM SYSCALL): RCX = user RIP, R11 = user RFLAGS, RFLAGS masked by FMASK, CS/SS =
 * kernel, RSP = still the user's, GS = still the user's. RAX = nr; RDI RSI RDX R10 R8 R9 = args.
 * We build a full pt_regs on the task stack, call do_syscall_64(nr, regs), and leave with
 * sysretq, or with iretq when SYSRET would be unsafe.
 */
	.balign 16
	.globl entry_SYSCALL_64
	.type entry_SYSCALL_64, @function
entry_SYSCALL_64:
	swapgs					/* GS base = percpu_area */
	movq	%rsp, %gs:PERCPU_USER_RSP
	movq	%gs:PERCPU_TOP_OF_STACK, %rsp
	.globl entry_SYSCALL_64_safe_stack
entry_SYSCALL_64_safe_stack:
	/* Construct the frame the CPU would have pushed for an interrupt. */
	pushq	$__USER_DS			/* pt_regs->ss */
	pushq	%gs:PERCPU_USER_RSP		/* pt_regs->sp */
	pushq	%r11				/* pt_regs->flags */
	pushq	$__USER_CS			/* pt_regs->cs */
	pushq	%rcx				/* pt_regs->ip */
	.globl entry_SYSCALL_64_after_hwframe
entry_SYSCALL_64_after_hwframe:
	pushq	%rax				/* pt_regs->orig_ax */
	pushq	%rdi
	pushq	%rsi
	pushq	%rdx
	pushq	%rcx
	pushq	$-ENOSYS			/* pt_regs->ax */
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rax, %rdi			/* nr */
	movq	%rsp, %rsi			/* struct pt_regs * */
	call	do_syscall_64

	/*
	 * SYSRET loads RIP = RCX and RFLAGS = R11, so it can only return to what pt_regs says if
	 * cs/ss are the standard user selectors, ip is canonical (on Intel a non-canonical RCX makes
	 * SYSRET #GP *in ring 0* on the user stack: the SYSRET hazard) and flags carry neither TF nor
	 * RF. Otherwise take the iretq path, which returns to any state pt_regs holds.
	 */
	cmpq	$__USER_CS, PT_CS(%rsp)
	jne	swapgs_restore_regs_and_return_to_usermode
	cmpq	$__USER_DS, PT_SS(%rsp)
	jne	swapgs_restore_regs_and_return_to_usermode
	movq	PT_RIP(%rsp), %rcx
	movq	%rcx, %r11
	shlq	$16, %r11			/* sign-extend from bit 47 ... */
	sarq	$16, %r11
	cmpq	%rcx, %r11			/* ... and compare: canonical? */
	jne	swapgs_restore_regs_and_return_to_usermode
	movq	PT_EFLAGS(%rsp), %r11
	testq	$(X86_EFLAGS_TF | X86_EFLAGS_RF), %r11
	jnz	swapgs_restore_regs_and_return_to_usermode

	.globl entry_SYSCALL_64_restore_regs
entry_SYSCALL_64_restore_regs:
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	popq	%rsi				/* pt_regs->r11: R11 = pt_regs->flags instead */
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rax				/* the return value */
	popq	%rsi				/* pt_regs->cx: RCX = pt_regs->ip instead */
	popq	%rdx
	popq	%rsi
	popq	%rdi
	movq	PT_RSP - PT_ORIG_RAX(%rsp), %rsp	/* the user RSP; nothing else is left to read */
	swapgs					/* GS base = the user's again */
	.globl entry_SYSCALL_64_sysret
entry_SYSCALL_64_sysret:
	sysretq
	.size entry_SYSCALL_64, . - entry_SYSCALL_64

/*
 * void enter_user_mode(uint64_t rip, uint64_t rsp): the first entry into a program, from
 * start_kernel on the boot stack. An iretq frame for ring 3 (SS, RSP, RFLAGS = IF|fixed, CS, RIP)
 * and every general register cleared, as execve leaves them.
 *
 * No swapgs: the boot protocol already left GS in the "user" state (GS base 0, KERNEL_GS_BASE =
 * percpu_area), and the kernel has not touched it since; the first kernel entry from ring 3 is
 * the one that swaps.
 */
	.globl enter_user_mode
	.type enter_user_mode, @function
enter_user_mode:
	pushq	$__USER_DS			/* ss */
	pushq	%rsi				/* rsp */
	pushq	$0x202				/* rflags: IF | the always-1 bit */
	pushq	$__USER_CS			/* cs */
	pushq	%rdi				/* rip */
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%esi, %esi
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	.globl enter_user_mode_iret
enter_user_mode_iret:
	iretq
	.size enter_user_mode, . - enter_user_mode

	.section .note.GNU-stack, "", @progbits
