/* What the small foreign test kernels (PVH and multiboot, 32-bit entry, paging off) share: COM1
 * output as a polling 16550 driver does it, hex numbers, and the run's end through QEMU's
 * isa-debug-exit at 0xf4 (status (v << 1) | 1), so that lstar and QEMU run them alike.
 * Include once after the entry code; every routine keeps all registers but the ones it names. */
#define COM1 0x3f8
#define DEBUG_EXIT 0xf4

	.code32
	.text
/* 8N1, no interrupts; the divisor latch set to 115200 baud (QEMU and lstar ignore the rate). */
serial_init:
	push	%eax
	push	%edx
	mov	$COM1 + 1, %dx			/* IER: no interrupts */
	xor	%al, %al
	out	%al, %dx
	mov	$COM1 + 3, %dx			/* LCR: DLAB */
	mov	$0x80, %al
	out	%al, %dx
	mov	$COM1 + 0, %dx			/* DLL = 1 */
	mov	$1, %al
	out	%al, %dx
	mov	$COM1 + 1, %dx			/* DLM = 0 */
	xor	%al, %al
	out	%al, %dx
	mov	$COM1 + 3, %dx			/* LCR: 8N1, DLAB off */
	mov	$0x03, %al
	out	%al, %dx
	mov	$COM1 + 7, %dx			/* SCR: a scratch byte must read back */
	mov	$0x5a, %al
	out	%al, %dx
	in	%dx, %al
	cmp	$0x5a, %al
	jne	1f
	pop	%edx
	pop	%eax
	ret
1:	mov	$0x7e, %eax			/* no UART: status 253 */
	jmp	exit

/* putc: AL */
putc:
	push	%edx
	push	%eax
	mov	$COM1 + 5, %dx			/* LSR: wait for THRE */
1:	in	%dx, %al
	test	$0x20, %al
	jz	1b
	pop	%eax
	mov	$COM1, %dx
	out	%al, %dx
	pop	%edx
	ret

/* puts: the NUL-terminated string at ESI; "\n" goes out as "\r\n", as a terminal driver would */
puts:
	push	%eax
	push	%esi
1:	lodsb
	test	%al, %al
	jz	2f
	cmp	$'\n', %al
	jne	3f
	mov	$'\r', %al
	call	putc
	mov	$'\n', %al
3:	call	putc
	jmp	1b
2:	pop	%esi
	pop	%eax
	ret

/* puthex: EAX as 0x followed by 8 hex digits; hexdigits: the digits alone */
puthex:
	push	%eax
	mov	$'0', %al
	call	putc
	mov	$'x', %al
	call	putc
	pop	%eax
hexdigits:
	push	%eax
	push	%ebx
	push	%ecx
	mov	%eax, %ebx
	mov	$8, %ecx
1:	rol	$4, %ebx
	mov	%bl, %al
	and	$0xf, %al
	add	$'0', %al
	cmp	$'9', %al
	jbe	2f
	add	$'a' - '9' - 1, %al
2:	call	putc
	loop	1b
	pop	%ecx
	pop	%ebx
	pop	%eax
	ret

/* exit: AL to isa-debug-exit; never returns */
exit:
	mov	$DEBUG_EXIT, %dx
	out	%al, %dx
	cli
1:	hlt
	jmp	1b

	.section .note.GNU-stack, "", @progbits
	.text
