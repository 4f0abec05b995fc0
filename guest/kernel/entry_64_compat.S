/* The i386 doors into a 64-bit kernel (compare Linux's arch/x86/entry/entry_64_compat.S). Both
 * build the frame an interrupt gate pushes and join entry_64.S's exc_entry; the way back is iretq.
 * Like all entry code they live in .entry.text, which the user page table maps in the pti modes. */
#include "cpu_entry_area.h"
#include "pt_regs.h"
#include "calling.h"

	.section .entry.text, "ax"

/*
 * entry_INT80_compat: `int $0x80`, IDT vector 0x80, an interrupt gate with DPL 3 (so ring 3 may
 * use it; IF is cleared on entry, as Linux's gate). The CPU switched to TSS.RSP0 and pushed SS,
 * RSP, RFLAGS, CS and the RIP *after* the instruction. The i386 ABI: EAX = number (Linux's
 * syscall_32.tbl), EBX, ECX, EDX, ESI, EDI, EBP = arguments. do_exception passes vector 0x80 on
 * to do_int80_syscall_32, which uses ia32_sys_call_table; the way back is iretq.
 * On kvm_pvm the gate is never taken: int $0x80 raises #UD there, and do_exception's #UD shim
 * continues the same way (via=UdShim).
 */
	.globl entry_INT80_compat
	.type entry_INT80_compat, @function
entry_INT80_compat:
	movl	%eax, %eax			/* only EAX is the number: clear bits 63:32 */
	pushq	%rax				/* pt_regs->orig_ax */
	pushq	%rdi				/* pt_regs->di */
	movl	$IA32_SYSCALL_VECTOR, %edi
	jmp	exc_entry
	.size entry_INT80_compat, . - entry_INT80_compat

/*
 * entry_SYSENTER_compat: IA32_SYSENTER_EIP.
 *
 * SYSENTER in 64-bit mode is #UD on AMD CPUs (the architecture's rule; AMD64 vol. 3, SYSENTER), so
 * on this project's AMD host and under QEMU's AMD-vendor `-cpu max` this never runs: do_exception
 * reports the #UD and lets the program go on with RAX = -ENOSYS. On Intel CPUs SYSENTER enters here
 * at CPL 0 with CS = SYSENTER_CS (__KERNEL_CS), SS = SYSENTER_CS + 8, RSP = SYSENTER_ESP (the value of
 * TSS.RSP0: the task stack, in the pti modes the entry stack), IF and RF cleared, and CR3, GS and
 * all other registers still the user's. It saves nothing: no return RIP, no user RSP, no RFLAGS.
 *
 * So the caller must say where to return. lstar's convention (64-bit Linux has no SYSENTER ABI;
 * its 32-bit vDSO keeps the return address itself): RCX = the user RSP and RDX = the return RIP,
 * the two registers SYSEXIT would reload; EAX = an i386 syscall number; EBX, ESI, EDI, EBP =
 * arguments 1, 4, 5, 6 (arguments 2 and 3 would be ECX and EDX: they read as 0).
 *
 * We build the frame an interrupt gate would have pushed and join the int $0x80 path, then leave
 * with iretq. Never with SYSEXIT: to 64-bit code it loads CS = SYSENTER_CS + 32 (__USER_CS) but
 * SS = SYSENTER_CS + 40 = 0x3b, a GDT slot Linux leaves empty, and restores no RFLAGS; Linux's own
 * SYSENTER entry returns with SYSRETL or IRET, and has no SYSEXIT path to 64-bit code at all.
 */
	.globl entry_SYSENTER_compat
	.type entry_SYSENTER_compat, @function
entry_SYSENTER_compat:
	pushq	$__USER_DS			/* pt_regs->ss */
	pushq	%rcx				/* pt_regs->sp: lstar's convention */
	pushfq					/* pt_regs->flags: the user's, but IF ... */
	orq	$X86_EFLAGS_IF, (%rsp)		/* ... was set in ring 3: SYSENTER cleared it */
	pushq	$__USER_CS			/* pt_regs->cs */
	pushq	%rdx				/* pt_regs->ip: lstar's convention */
	movl	%eax, %eax
	pushq	%rax				/* pt_regs->orig_ax */
	pushq	%rdi				/* pt_regs->di */
	movl	$SYSENTER_PSEUDO_VECTOR, %edi
	jmp	exc_entry
	.size entry_SYSENTER_compat, . - entry_SYSENTER_compat

	.section .note.GNU-stack, "", @progbits
