/* A multiboot kernel that prints what the machine tells it: fw_cfg (signature, ID, CPU count, RAM
 * size, command line, read through ports 0x510/0x511, the command line with `rep insb`) and the
 * multiboot information (mem_lower, mem_upper, the memory map, the loader's name). Exit 0. */
#include "multiboot_header.h"
#define FW_CFG_SEL 0x510
#define FW_CFG_DATA 0x511

	.text
	.code32
	.globl _start
_start:
	mov	$stack_top, %esp
	mov	%ebx, %edi			/* multiboot_info */
	call	serial_init
	/* fw_cfg */
	xor	%eax, %eax			/* FW_CFG_SIGNATURE */
	call	fw_select
	mov	$t_sig, %esi
	call	puts
	mov	$4, %ecx
1:	in	%dx, %al
	call	putc
	loop	1b
	mov	$nl, %esi
	call	puts
	mov	$1, %eax			/* FW_CFG_ID */
	mov	$t_id, %esi
	call	fw_print32
	mov	$5, %eax			/* FW_CFG_NB_CPUS */
	mov	$t_cpus, %esi
	call	fw_print32
	mov	$3, %eax			/* FW_CFG_RAM_SIZE, low half */
	mov	$t_ram, %esi
	call	fw_print32
	mov	$0x14, %eax			/* FW_CFG_CMDLINE_SIZE */
	call	fw_select
	call	fw_read32
	mov	%eax, %ecx
	cmp	$256, %ecx
	jbe	2f
	mov	$256, %ecx
2:	mov	$0x15, %eax			/* FW_CFG_CMDLINE_DATA */
	call	fw_select
	push	%edi
	mov	$buf, %edi
	rep insb				/* one VM exit for the whole string */
	movb	$0, (%edi)
	pop	%edi
	mov	$t_cmd, %esi
	call	puts
	mov	$buf, %esi
	call	puts
	mov	$quote_nl, %esi
	call	puts
	mov	$0x1234, %eax			/* a key nobody defines reads as zeros */
	mov	$t_unk, %esi
	call	fw_print32

	/* multiboot_info */
	mov	$t_flags, %esi
	call	puts
	mov	(%edi), %eax
	call	puthex
	mov	$t_lower, %esi
	call	puts
	mov	4(%edi), %eax
	call	puthex
	mov	$t_upper, %esi
	call	puts
	mov	8(%edi), %eax
	call	puthex
	mov	$nl, %esi
	call	puts
	testl	$0x40, (%edi)			/* mmap valid */
	jz	3f
	mov	48(%edi), %ebx			/* mmap_addr */
	mov	44(%edi), %ebp			/* mmap_length */
	add	%ebx, %ebp
4:	cmp	%ebp, %ebx
	jae	3f
	mov	$t_mmap, %esi
	call	puts
	mov	8(%ebx), %eax			/* base_addr high, low */
	call	puthex
	mov	4(%ebx), %eax
	call	hexdigits
	mov	$t_len, %esi
	call	puts
	mov	16(%ebx), %eax			/* length high, low */
	call	puthex
	mov	12(%ebx), %eax
	call	hexdigits
	mov	$t_type, %esi
	call	puts
	mov	20(%ebx), %eax
	call	puthex
	mov	$nl, %esi
	call	puts
	add	(%ebx), %ebx			/* size does not count itself */
	add	$4, %ebx
	jmp	4b
3:	testl	$0x200, (%edi)			/* boot_loader_name valid */
	jz	5f
	mov	$t_loader, %esi
	call	puts
	mov	64(%edi), %esi
	call	puts
	mov	$nl, %esi
	call	puts
5:	xor	%eax, %eax
	jmp	exit

/* fw_select: EAX = key; leaves DX = the data port */
fw_select:
	mov	$FW_CFG_SEL, %dx
	out	%ax, %dx
	mov	$FW_CFG_DATA, %dx
	ret
/* fw_read32: EAX = the next four bytes, little-endian */
fw_read32:
	push	%ecx
	mov	$4, %ecx
1:	in	%dx, %al
	ror	$8, %eax
	loop	1b
	pop	%ecx
	ret
/* fw_print32: key EAX, label ESI */
fw_print32:
	call	fw_select
	call	puts
	call	fw_read32
	call	puthex
	mov	$nl, %esi
	call	puts
	ret

#include "foreign32.h"

	.section .rodata, "a"
t_sig:	.asciz "fw_cfg signature: "
t_id:	.asciz "fw_cfg id: "
t_cpus:	.asciz "fw_cfg cpus: "
t_ram:	.asciz "fw_cfg ram: "
t_cmd:	.asciz "fw_cfg cmdline: \""
t_unk:	.asciz "fw_cfg key 0x1234: "
t_flags: .asciz "multiboot flags: "
t_lower: .asciz ", mem_lower: "
t_upper: .asciz ", mem_upper: "
t_mmap:	.asciz "mmap: base "
t_len:	.asciz " length "
t_type:	.asciz " type "
t_loader: .asciz "boot loader: "
quote_nl: .asciz "\"\n"
nl:	.asciz "\n"
	.bss
	.balign 16
buf:	.skip 260
	.skip 4096
stack_top:
