/* A kernel that never loads an IDT and takes an exception: #UD finds no IDT (limit 0), which is
 * #GP, which is #DF, which is a triple fault: KVM_EXIT_SHUTDOWN. */
#include "min_kernel.h"
	.globl _start
_start:
	ud2
