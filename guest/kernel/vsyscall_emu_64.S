/* The legacy vsyscall page (compare Linux's arch/x86/entry/vsyscall/vsyscall_emu_64.S): what old
 * static binaries call at the fixed addresses 0xffffffffff600000 + 0x0 / 0x400 / 0x800. The bytes
 * are the real legacy code, so that a program that *reads* the page (vsyscall=emulate) sees what
 * Linux shows; they never run: the page is mapped NX (or not at all), the call faults, and
 * emulate_vsyscall (vsyscall_64.cpp) does the system call from the #PF handler. */
#define __NR_gettimeofday	96
#define __NR_time		201
#define __NR_getcpu		309

	.section .data..page_aligned, "aw", @progbits
	.balign 4096
	.globl __vsyscall_page
	.type __vsyscall_page, @object
__vsyscall_page:
	mov	$__NR_gettimeofday, %rax
	syscall
	ret
	int3

	.balign 1024, 0xcc
	mov	$__NR_time, %rax
	syscall
	ret
	int3

	.balign 1024, 0xcc
	mov	$__NR_getcpu, %rax
	syscall
	ret
	int3

	.balign 4096, 0xcc
	.size __vsyscall_page, 4096

	.section .note.GNU-stack, "", @progbits
