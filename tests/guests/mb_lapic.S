/* A multiboot kernel that uses the local APIC at 0xfee00000: it reads the version register,
 * software-enables the APIC, arms its timer (one-shot, vector 0x40) and waits with sti; hlt. The
 * interrupt handler prints, sends the EOI and exits with 0x15 (status 43). Needs an interrupt
 * controller that KVM (KVM_CREATE_IRQCHIP) or QEMU provides; a HLT nothing wakes hangs (the test
 * runs with a timeout). */
#include "multiboot_header.h"
#define LAPIC 0xfee00000
#define VECTOR 0x40

	.text
	.code32
	.globl _start
_start:
	mov	$stack_top, %esp
	call	serial_init
	mov	$0xff, %al			/* mask both 8259s: only the LAPIC may interrupt */
	out	%al, $0x21
	out	%al, $0xa1
	mov	$t_ver, %esi
	call	puts
	mov	LAPIC + 0x30, %eax		/* version register (32-bit reads only), bits 7:0 */
	and	$0xff, %eax
	call	puthex
	mov	$nl, %esi
	call	puts
	/* IDT gate VECTOR: 32-bit interrupt gate to timer_irq, in whatever CS the loader gave us */
	mov	%cs, %ax
	shl	$16, %eax
	mov	$timer_irq, %ebx
	mov	%bx, %ax
	mov	%eax, idt + VECTOR * 8
	and	$0xffff0000, %ebx
	or	$0x8e00, %ebx			/* P, DPL 0, 32-bit interrupt gate */
	mov	%ebx, idt + VECTOR * 8 + 4
	lidt	idt_desc
	movl	$0x1ff, LAPIC + 0xf0		/* SVR: APIC software enable, spurious vector 0xff */
	movl	$0xb, LAPIC + 0x3e0		/* divide by 1 */
	movl	$VECTOR, LAPIC + 0x320		/* LVT timer: one-shot, unmasked */
	movl	$100000, LAPIC + 0x380		/* initial count: starts the timer */
	mov	$t_wait, %esi
	call	puts
	sti
1:	hlt
	jmp	1b

timer_irq:
	mov	$t_irq, %esi
	call	puts
	movl	$0, LAPIC + 0xb0		/* EOI */
	mov	$0x15, %al
	jmp	exit

#include "foreign32.h"

	.section .rodata, "a"
t_ver:	.asciz "LAPIC version: "
t_wait:	.asciz "LAPIC timer armed (one-shot, vector 0x40); sti; hlt\n"
t_irq:	.asciz "LAPIC timer interrupt on vector 0x40\n"
nl:	.asciz "\n"
	.balign 8
idt_desc: .word 256 * 8 - 1
	.long idt
	.bss
	.balign 16
idt:	.skip 256 * 8
	.skip 4096
stack_top:
