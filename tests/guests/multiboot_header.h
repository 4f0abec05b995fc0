/* A multiboot v1 header (shared/multiboot.hpp) for the test kernels: page-aligned modules and
 * memory information wanted; with MB_AOUT_KLUDGE also the address fields (flag bit 16), for the
 * flat-binary build of the same kernel. MB_IN_TEXT: the header heads .text, for a kernel linked
 * the ordinary way (gcc -m32 -static -Wl,-Ttext=0x100000) without our linker script. */
#ifdef MB_AOUT_KLUDGE
#define MB_FLAGS 0x00010003
#else
#define MB_FLAGS 0x00000003
#endif
#ifdef MB_IN_TEXT
	.text	/* first in .text: within the file's first 8 KiB whatever the linker script */
#else
	.section .multiboot, "a"
#endif
	.balign 4
mb_header:
	.long 0x1BADB002, MB_FLAGS, -(0x1BADB002 + MB_FLAGS)
#ifdef MB_AOUT_KLUDGE
	.long mb_header, _load_start, _edata, _end, _start
#endif
