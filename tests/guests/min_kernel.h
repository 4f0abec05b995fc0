/* What every minimal test kernel needs to be booted by lstar's 64-bit protocol
 * (docs/boot-protocol.md): the "lstar" ELF note and the three symbols the monitor looks up.
 * Include it once, then write _start (RDI = BootInfo, physical; cmdline at BootInfo + 128). */
#define PORT_CONSOLE 0xe9
#define PORT_EVENT 0xec0
#define PORT_EXIT 0xec4
#define PORT_NULL 0xec8
#define PAGE_OFFSET 0xffff888000000000

	.section .note.lstar, "a"
	.balign 4
	.long 6, 4, 0x4c53		/* namesz, descsz, type = boot::kNoteType */
	.asciz "lstar"
	.balign 4
	.long 1				/* protocol version */

	.text
	.globl entry_SYSCALL_64
entry_SYSCALL_64:			/* these kernels make no syscalls */
	hlt

	.data
	.globl percpu_area
percpu_area: .fill 64, 1, 0
	.balign 16
	.globl cpu_tss
cpu_tss:   .fill 0x68, 1, 0
	.balign 16
min_stack: .fill 4096, 1, 0		/* RSP is undefined at entry: `lea min_stack_top(%rip), %rsp` */
min_stack_top:
	.section .note.GNU-stack, "", @progbits
	.text
