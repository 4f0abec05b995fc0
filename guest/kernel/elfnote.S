/* The ELF note that tells the monitor this image speaks lstar's boot protocol
 * (owner "lstar", type lstar::boot::kNoteType = 0x4c53, desc = the 4-byte protocol version).
 * linker.ld puts .note.lstar in a PT_NOTE segment. Compare Linux's ELFNOTE() for Xen/PVH. */
	.section .note.lstar, "a"
	.balign 4
	.long	2f - 1f			/* namesz, with the NUL */
	.long	4f - 3f			/* descsz */
	.long	0x4c53			/* type: lstar::boot::kNoteType */
1:	.asciz	"lstar"
2:	.balign 4
3:	.long	1			/* boot protocol version */
4:	.balign 4

	.section .note.GNU-stack, "", @progbits
