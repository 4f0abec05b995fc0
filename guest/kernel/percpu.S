/* The kernel's stacks and the two per-CPU structures the monitor points the CPU at before the
 * first instruction (compare Linux's cpu_tss_rw and the per-CPU area GS points to):
 *
 *   cpu_tss      the 64-bit TSS that TR selects: RSP0 for entries from ring 3, IST1-3 for
 *                #DF, NMI and #MC (stacks in the cpu_entry_area). Alone in its page, which the
 *                entry area aliases at CEA_TSS; in the pti modes start_kernel points RSP0 at the
 *                entry stack there instead of the task stack.
 *   percpu_area  what KERNEL_GS_BASE holds while user code runs; after swapgs, %gs:0 is the
 *                user-RSP scratch slot, %gs:8 the syscall stack top, %gs:16 the area's address.
 *
 * Both are written here, in assembly, because their initializers are addresses: in C++ they would
 * be (reinterpret_cast) dynamic initializers, and this kernel has no one to run constructors. */
#include "cpu_entry_area.h"
#include "pt_regs.h"

#define STACK_SIZE	16384
#define KM		0xffffffff80000000	/* __START_KERNEL_map */
/* A small gap after each stack top, so that an address inside one stack is never symbolized as
 * "<previous_stack_top+offset>" by a trace (a top and the next stack's base would share an address). */
#define STACK_GAP	64

	.section .bss..page_aligned, "aw", @nobits
	.balign 4096
	.globl boot_stack_top
boot_stack:			/* start_kernel runs here, until the first iretq to ring 3 */
	.skip	STACK_SIZE
boot_stack_top:
	.skip	STACK_GAP
	.balign 4096
task_stack_pages:		/* the task stack's memory: used only through its vmap alias below */
	.skip	STACK_SIZE

/* The task's kernel stack (TSS.RSP0 and the syscall stack), mapped as Linux's CONFIG_VMAP_STACK
 * maps it: in a range of its own (VMAP_STACK_BASE, PML4 slot 402), 4 KiB pages, with an unmapped
 * guard page below. A kernel stack overflow then faults at once (#PF on the guard page) instead of
 * silently overwriting whatever lies below; the CPU cannot push that #PF's frame on the same
 * stack, so it raises #DF, which runs on its own IST stack (IST1, df_stack) and reports it. */
	.globl task_stack, task_stack_top, task_stack_guard
	.set	task_stack_guard, VMAP_STACK_BASE	/* not present */
	.set	task_stack, VMAP_STACK_BASE + 0x1000
	.set	task_stack_top, task_stack + STACK_SIZE
	.type task_stack, @object
	.size task_stack, STACK_SIZE

	.section .data..page_aligned, "aw", @progbits
	.balign 4096			/* alone in its page: the entry area maps this page at CEA_TSS */
	.globl cpu_tss
	.type cpu_tss, @object
cpu_tss:			/* lstar::x86::Tss64 */
	.long	0			/* reserved */
	.quad	task_stack_top		/* rsp[0]: the stack for entries from ring 3 */
	.quad	0, 0			/* rsp[1], rsp[2]: unused (no rings 1 and 2) */
	.quad	0			/* reserved */
	.quad	CEA_DF_STACK_TOP	/* ist[0] = IST1: #DF, which may come from a broken stack */
	.quad	CEA_NMI_STACK_TOP	/* ist[1] = IST2: NMI */
	.quad	CEA_MC_STACK_TOP	/* ist[2] = IST3: #MC */
	.quad	0, 0, 0, 0		/* ist[3..6] */
	.quad	0			/* reserved */
	.word	0			/* reserved */
	.word	0x68			/* iomap_base = sizeof(Tss64): no I/O permission bitmap */
	.size cpu_tss, . - cpu_tss
	.if (. - cpu_tss) != 0x68
	.error "cpu_tss must be sizeof(lstar::x86::Tss64)"
	.endif
	.balign 4096

/* The page tables of the task stack's range: static, so that mapping it costs one PML4 store
 * (start_kernel; PVH's early_top_pgt has it already). Supervisor-only, global, not executable. */
	.section .data..page_aligned, "aw", @progbits
	.balign 4096
	.globl task_stack_pud
task_stack_pud:
	.quad	task_stack_pmd - KM + 0x3		/* P RW */
	.fill	511, 8, 0
task_stack_pmd:
	.quad	task_stack_pte - KM + 0x3
	.fill	511, 8, 0
task_stack_pte:
	.quad	0					/* the guard page */
	.set	.Lpg, 0
	.rept	STACK_SIZE / 4096
	.quad	task_stack_pages - KM + .Lpg * 4096 + 0x8000000000000103	/* P RW G NX */
	.set	.Lpg, .Lpg + 1
	.endr
	.fill	512 - 1 - STACK_SIZE / 4096, 8, 0

	.section .data, "aw"

	.balign 64
	.globl percpu_area
	.type percpu_area, @object
percpu_area:			/* lstar::percpu_area */
	.quad	0			/* PERCPU_USER_RSP: scratch for the user RSP during syscall entry */
	.quad	task_stack_top		/* PERCPU_TOP_OF_STACK: cpu_current_top_of_stack */
	.quad	percpu_area		/* PERCPU_SELF: lets code read the GS base without rdmsr */
	.skip	PERCPU_SIZE - 24
	.size percpu_area, . - percpu_area
	.if (. - percpu_area) != PERCPU_SIZE
	.error "percpu_area must be PERCPU_SIZE bytes"
	.endif

	.section .note.GNU-stack, "", @progbits
