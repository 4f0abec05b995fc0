/* `lock cmpxchg16b` in ring 0. Valid on hardware (CPUID offers CX16) and on hardware KVM; on this
 * project's kvm_pvm ring-0 code goes through KVM's instruction emulator, which does not know it:
 * KVM_EXIT_INTERNAL_ERROR. If it runs, exit 0. */
#include "min_kernel.h"
	.globl _start
_start:
	lock cmpxchg16b scratch(%rip)
	xor	%eax, %eax
	mov	$PORT_EXIT, %dx
	outl	%eax, %dx
	hlt

	.data
	.balign 16
scratch: .quad 0, 0
	.text
