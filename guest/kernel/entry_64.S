/* Every way into and out of ring 0 after boot (compare Linux's arch/x86/entry/entry_64.S and
 * entry_64_compat.S, and Linux 4.15's PTI trampoline):
 *
 *   asm_exc_*                     one stub per exception vector
 *   syscall_pf_shim               this host's workaround for SYSCALL staying at CPL 3 (see below)
 *   entry_INT80_compat, entry_SYSENTER_compat   the i386 doors: in entry_64_compat.S
 *   exc_entry / exc_common        one path for all of the above: pt_regs, then do_exception()
 *   entry_SYSCALL_64_trampoline   LSTAR in the pti modes: switches CR3, then entry_SYSCALL_64's body
 *   entry_SYSCALL_64              LSTAR in direct mode: pt_regs, do_syscall_64, sysretq
 *   enter_user_mode               the first entry into a program
 *
 * All of it is in .entry.text, which is linked into the cpu_entry_area (cpu_entry_area.h): in the
 * pti modes it is the only kernel text the user page table maps, so every instruction that may run
 * with the user CR3 has to be here. Calls into C go through a register (`movq $fn, %rax; call
 * *%rax`): the kernel image is more than 2 GiB away from the entry area, out of rel32 reach.
 *
 * Rules for this file: no int3 and no SSE (ring 0 runs in KVM's emulator here, which knows
 * neither), and every path short: each ring-0 instruction costs about 1 us on this host. */
#include "cpu_entry_area.h"
#include "pt_regs.h"

#include "calling.h"

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

.macro POP_REGS pop_rdi=1
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
	.if \pop_rdi
	popq	%rdi
	.endif
.endm

/* The stub table idt.cpp walks: exception_stubs[v] is the entry of vector v. */
	.pushsection .rodata.exception_stubs, "a"
	.balign 8
	.globl exception_stubs
exception_stubs:
	.popsection

/* One exception stub. Vectors without a CPU error code get a dummy 0, so that every frame is
 * [error code = pt_regs->orig_ax][rip][cs][rflags][rsp][ss] and exc_entry has one layout. */
.macro idtentry vector, sym, has_error_code
	.globl \sym
	.type \sym, @function
\sym:
	.if \has_error_code == 0
	pushq	$0
	.endif
	pushq	%rdi			/* pt_regs->di; RDI now carries the vector */
	movl	$\vector, %edi
	jmp	exc_entry
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
	idtentry  6, asm_exc_invalid_op,		0	/* do_exception holds the int $0x80 #UD shim */
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
 * page at LSTAR is supervisor-only, so the very first fetch of the entry raises #PF (error
 * U|P|I, CR2 = RIP = LSTAR, CS = 0x33, RSP = the user RSP), which, like any exception from ring 3,
 * arrives here at CPL 0 on TSS.RSP0 (the task stack; in the pti modes the entry stack, with the
 * user CR3 still loaded: which is why this stub, the IDT, GDT and TSS are in the entry area).
 *
 * What: if the frame says "from user mode, at LSTAR" (entry_SYSCALL_64, or in the pti modes
 * entry_SYSCALL_64_trampoline: syscall_entry_lstar holds whichever it is), finish the SYSCALL by
 * hand: RFLAGS = R11 & ~FMASK (what SYSCALL would have left; RCX and R11 already hold what SYSCALL
 * put there and are not touched), RSP = the user RSP (as SYSCALL leaves it), note the detour in
 * syscall_entered_via_pf_shim, and jump to LSTAR, which now runs at CPL 0 exactly as after a real
 * SYSCALL. The abandoned #PF frame is overwritten by the next use of its stack.
 *
 * On hardware KVM (VT-x/SVM) and real CPUs SYSCALL does switch to CPL 0, and this never runs.
 * When it does, lstar's output shows it: the SyscallEnter event carries via=PfShim, and the
 * Shutdown event counts via_pf_shim.
 *
 * A ring-3 `jmp` to LSTAR takes the same #PF and is then handled as a syscall with whatever
 * RCX/R11 hold: exactly what executing `syscall` would have done, so it grants nothing.
 *
 * Any other #PF (frame: err@0 rip@8 cs@16 rflags@24 rsp@32 ss@40) falls through to the
 * normal path.
 */
	.globl asm_exc_page_fault
	.type asm_exc_page_fault, @function
asm_exc_page_fault:
	testb	$3, 16(%rsp)			/* from ring 3? */
	jz	1f
	pushq	%rax				/* a scratch register: every other one is the user's */
	movq	syscall_entry_lstar(%rip), %rax
	cmpq	%rax, 16(%rsp)			/* the frame's RIP (above RAX) == LSTAR? */
	popq	%rax
	jne	1f
	.globl syscall_pf_shim
syscall_pf_shim:
	movl	$1, syscall_entered_via_pf_shim(%rip)
	pushq	%r11				/* RFLAGS = R11 & ~FMASK: IF, TF, DF, AC... cleared */
	andq	$~SYSCALL_MASK, (%rsp)
	popfq
	movq	32(%rsp), %rsp			/* RSP = user RSP, as SYSCALL leaves it */
	jmp	*syscall_entry_lstar(%rip)
1:	pushq	%rdi				/* the normal #PF path */
	movl	$14, %edi
	jmp	exc_entry
	.size asm_exc_page_fault, . - asm_exc_page_fault

/*
 * The common entry. Stack: [pt_regs->di][orig_ax][hardware frame]; RDI = vector (or the door).
 * From user mode: swapgs, so that the kernel's GS base is the per-CPU area (and back on exit). In
 * the pti modes the frame is on the entry stack and CR3 is the user's: switch CR3 first, then copy
 * the frame to the task stack, which the user page table does not map (Linux 4.15 does this with
 * sync_regs()). From kernel mode GS and CR3 are already the kernel's (or, during boot, GS is
 * still 0: nothing here uses it). NMI/#DF/#MC arrive on IST stacks and take the same path: this
 * kernel has no window in which a kernel-mode frame could carry the user GS base and matter.
 */
	.globl exc_entry
exc_entry:
	cld
	testb	$3, 24(%rsp)			/* the frame's CS: from ring 3? */
	jz	exc_common
	swapgs
	testb	$1, pti_enabled(%rip)
	jz	exc_common
	pushq	%rax				/* [rax][di][orig_ax][rip][cs][rflags][rsp][ss] */
	SWITCH_TO_KERNEL_CR3 scratch_reg=%rax
	movq	%rsp, %rax
	movq	%gs:PERCPU_TOP_OF_STACK, %rsp	/* the task stack: mapped now that CR3 is the kernel's */
	pushq	7*8(%rax)			/* ss */
	pushq	6*8(%rax)			/* rsp */
	pushq	5*8(%rax)			/* rflags */
	pushq	4*8(%rax)			/* cs */
	pushq	3*8(%rax)			/* rip */
	pushq	2*8(%rax)			/* orig_ax */
	pushq	1*8(%rax)			/* di */
	movq	(%rax), %rax
exc_common:
	PUSH_REGS_AFTER_DI
	movq	%rdi, %rsi			/* vector */
	movq	%rsp, %rdi			/* struct pt_regs * */
	movq	$do_exception, %rax
	call	*%rax
	testb	$3, PT_CS(%rsp)
	jz	restore_regs_and_return_to_kernel
	/* fall through */

/* Back to ring 3 with iretq, from any pt_regs on the task (or boot) stack. */
	.globl swapgs_restore_regs_and_return_to_usermode
swapgs_restore_regs_and_return_to_usermode:
	POP_REGS pop_rdi=0
restore_rdi_and_return_to_usermode:	/* [pt_regs->di][orig_ax][iret frame], all else restored */
	testb	$1, pti_enabled(%rip)
	jnz	1f
	popq	%rdi
	addq	$8, %rsp			/* orig_ax */
	swapgs
	.globl return_to_usermode_iret
return_to_usermode_iret:
	iretq
1:	/* pti: the iret frame and RDI to the entry stack, which the user page table maps too */
	movq	%rsp, %rdi
	leaq	entry_stack_top(%rip), %rsp
	pushq	6*8(%rdi)			/* ss */
	pushq	5*8(%rdi)			/* rsp */
	pushq	4*8(%rdi)			/* rflags */
	pushq	3*8(%rdi)			/* cs */
	pushq	2*8(%rdi)			/* rip */
	pushq	(%rdi)				/* the user's RDI */
	SWITCH_TO_USER_CR3_STACK scratch_reg=%rdi
	popq	%rdi
	swapgs
	.globl return_to_usermode_iret_pti
return_to_usermode_iret_pti:
	iretq

restore_regs_and_return_to_kernel:
	POP_REGS
	addq	$8, %rsp
	iretq
	.size exc_entry, . - exc_entry

/*
 * entry_SYSCALL_64_trampoline: LSTAR in the pti modes (Linux 4.15, arch/x86/entry/entry_64.S).
 *
 * SYSCALL left CR3 on the user page table, which maps only the entry area: this code, and the entry
 * stack, whose top slot (RSP_SCRATCH) keeps the user RSP while RSP itself serves as the scratch
 * register for the CR3 switch. Then the kernel stack, the hardware-style frame, and the rest of
 * entry_SYSCALL_64 (Linux's second stage; here it sits in the entry area too, within reach of a
 * plain jmp, where Linux 4.15 had to `jmp *%rdi` to entry_SYSCALL_64_stage2).
 */
#define RSP_SCRATCH	entry_stack_top - 8
	.balign 16
	.globl entry_SYSCALL_64_trampoline
	.type entry_SYSCALL_64_trampoline, @function
entry_SYSCALL_64_trampoline:
	swapgs					/* GS base = percpu_area (not mapped yet: not touched yet) */
	movq	%rsp, RSP_SCRATCH(%rip)
	SWITCH_TO_KERNEL_CR3 scratch_reg=%rsp
	movq	%gs:PERCPU_TOP_OF_STACK, %rsp
	pushq	$__USER_DS			/* pt_regs->ss */
	pushq	RSP_SCRATCH(%rip)		/* pt_regs->sp */
	pushq	%r11				/* pt_regs->flags */
	pushq	$__USER_CS			/* pt_regs->cs */
	pushq	%rcx				/* pt_regs->ip */
	jmp	entry_SYSCALL_64_after_hwframe
	.size entry_SYSCALL_64_trampoline, . - entry_SYSCALL_64_trampoline

/*
 * entry_SYSCALL_64: LSTAR in direct mode (Linux 4.15+ layout, without PTI).
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
	movq	$do_syscall_64, %rax
	call	*%rax

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
	testb	$1, pti_enabled(%rip)
	jnz	syscall_return_via_sysret_pti
	popq	%rdi
	movq	PT_RSP - PT_ORIG_RAX(%rsp), %rsp	/* the user RSP; nothing else is left to read */
	swapgs					/* GS base = the user's again */
	.globl entry_SYSCALL_64_sysret
entry_SYSCALL_64_sysret:
	sysretq

	/* pti (Linux 4.15's syscall_return_via_sysret): all registers but RDI and RSP are the
	 * user's; move those two to the entry stack, switch CR3, pop them, leave. */
syscall_return_via_sysret_pti:
	movq	%rsp, %rdi
	leaq	entry_stack_top(%rip), %rsp
	pushq	PT_RSP - PT_RDI(%rdi)		/* the user RSP */
	pushq	(%rdi)				/* the user RDI */
	SWITCH_TO_USER_CR3_STACK scratch_reg=%rdi
	popq	%rdi
	popq	%rsp
	swapgs
	.globl entry_SYSCALL_64_sysret_pti
entry_SYSCALL_64_sysret_pti:
	sysretq
	.size entry_SYSCALL_64, . - entry_SYSCALL_64

/*
 * void enter_user_mode(uint64_t rip, uint64_t rsp): the first entry into a program, from
 * start_kernel on the boot stack: a pt_regs with an iret frame for ring 3 (SS, RSP, RFLAGS =
 * IF|fixed, CS, RIP) and every general register cleared, as execve leaves them, then the common
 * way back to user mode.
 *
 * GS is already in the "user" state (GS base 0, KERNEL_GS_BASE = percpu_area: the boot protocol,
 * or syscall_init under PVH). The exit path ends with swapgs, so swap once here first.
 */
	.globl enter_user_mode
	.type enter_user_mode, @function
enter_user_mode:
	swapgs
	pushq	$__USER_DS			/* ss */
	pushq	%rsi				/* rsp */
	pushq	$0x202				/* rflags: IF | the always-1 bit */
	pushq	$__USER_CS			/* cs */
	pushq	%rdi				/* rip */
	pushq	$0				/* orig_ax */
	pushq	$0				/* di */
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%esi, %esi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	jmp	restore_rdi_and_return_to_usermode
	.size enter_user_mode, . - enter_user_mode

/* The entry area's addresses, for C++ (struct EntryPoints, kernel.hpp): -mcmodel=kernel code can
 * only name symbols in the top 2 GiB, and the entry area is not there. */
	.section .rodata, "a"
	.balign 8
	.globl entry_points
entry_points:
	.quad	entry_SYSCALL_64
	.quad	entry_SYSCALL_64_trampoline
	.quad	entry_INT80_compat
	.quad	entry_SYSENTER_compat
	.quad	enter_user_mode

	.section .note.GNU-stack, "", @progbits
