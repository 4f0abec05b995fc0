/* What entry_64.S and entry_64_compat.S share (compare Linux's arch/x86/entry/calling.h): the
 * selectors the entries push, the RFLAGS bits they test, and the PTI CR3 switches. */
#pragma once

#define __KERNEL_CS	0x10
#define __USER_DS	0x2b
#define __USER_CS	0x33
#define ENOSYS		38
#define X86_EFLAGS_TF	0x100
#define X86_EFLAGS_IF	0x200
#define X86_EFLAGS_RF	0x10000
#define SYSCALL_MASK	0x47700		/* lstar::x86::kSyscallMask (MSR_SYSCALL_MASK, "FMASK") */

/* Linux's SWITCH_TO_KERNEL_CR3 (arch/x86/entry/calling.h): from the user half of the PGD pair to
 * the kernel half (clear CR3 bit 12) and from the user PCID to the kernel PCID (clear bit 11),
 * with NOFLUSH (bit 63) when PCIDs are on, so the kernel PCID keeps its TLB entries. Only used where
 * CR3 is known to be the user's (the pti modes, entered from ring 3). */
.macro SWITCH_TO_KERNEL_CR3 scratch_reg:req
	mov	%cr3, \scratch_reg
	andq	$(~PTI_SWITCH_MASK), \scratch_reg
	orq	pti_kernel_cr3_noflush(%rip), \scratch_reg
	mov	\scratch_reg, %cr3
.endm

/* Linux's SWITCH_TO_USER_CR3_STACK: the other way, with the stack already on the entry stack
 * (the kernel stacks are not in the user page table). pti_user_cr3_bits is bit 12, plus bit 11
 * and NOFLUSH with PCIDs. Linux also checks a per-CPU "user PCID needs a flush" mask here; this
 * kernel never changes or removes a user mapping once made, so the user PCID never needs one. */
.macro SWITCH_TO_USER_CR3_STACK scratch_reg:req
	mov	%cr3, \scratch_reg
	orq	pti_user_cr3_bits(%rip), \scratch_reg
	mov	\scratch_reg, %cr3
.endm
