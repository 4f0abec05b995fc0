/* The ELF notes that say how this image may be booted (linker.ld puts both in the PT_NOTE):
 *
 *  - owner "lstar", type lstar::boot::kNoteType = 0x4c53, desc = the 4-byte protocol version:
 *    lstar's 64-bit boot protocol, entry at e_entry (_start).
 *  - owner "Xen", type XEN_ELFNOTE_PHYS32_ENTRY = 18 (shared/pvh.hpp), desc = the physical address
 *    of the 32-bit PVH entry (pvh_start_xen), as Linux's arch/x86/platform/pvh/head.S: 8 bytes,
 *    as Linux writes it (_ASM_PTR) and as QEMU reads it. */
	.section .note.lstar, "a"
	.balign 4
	.long	2f - 1f			/* namesz, with the NUL */
	.long	4f - 3f			/* descsz */
	.long	0x4c53			/* type: lstar::boot::kNoteType */
1:	.asciz	"lstar"
2:	.balign 4
3:	.long	1			/* boot protocol version */
4:	.balign 4

	.section .note.Xen, "a"
	.balign 4
	.long	2f - 1f
	.long	4f - 3f
	.long	18			/* XEN_ELFNOTE_PHYS32_ENTRY */
1:	.asciz	"Xen"
2:	.balign 4
3:	.quad	pvh_start_xen - 0xffffffff80000000
4:	.balign 4

	.section .note.GNU-stack, "", @progbits
