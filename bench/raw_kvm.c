/* raw_kvm: the least a program can do to boot a guest of lstar's 64-bit boot protocol
 * (docs/boot-protocol.md) and run it to its exit, calling KVM_RUN in a loop. It is the physical
 * limit of the host for the benchmarks: lstar against this, on the same guest code.
 *
 * What it does, and no more: create the VM, vCPU and RAM; load the ELF's PT_LOAD segments at
 * their physical addresses; build the boot page tables (kernel map and direct map, 2 MiB pages),
 * the GDT (Linux's layout, TR -> cpu_tss), the syscall MSRs, CPUID and BootInfo; then run.
 * Exits: OUT 0xe9 prints a byte, OUT 0xec0 (an event record) prints console_write text and
 * ignores the rest, OUT 0xec4 ends the run with the guest's status, OUT 0xec8 (null port) and MMIO
 * writes are ignored, MMIO reads return all ones, HLT resumes with -H (no interrupt source: the
 * guest just halts again) or ends the run. No exit log, no checks beyond the ioctls' results.
 *
 *   raw_kvm [-m MIB] [-H] [-r] [-s] [-t] IMAGE [CMDLINE]
 *     -r  ask for the general registers with every exit (KVM_CAP_SYNC_REGS: regs), as lstar always does
 *     -s  ask for regs and sregs with every exit, as lstar does with the exit log on: what that costs
 *         inside KVM_RUN is the difference with and without -r / -s.
 *     -t  print timings to stderr from main() on: VM creation, memory, loading, first exit, guest
 *         run, teardown, as "raw_kvm: key=value" (the runner adds process start from its own clock).
 * Exit status: the guest's status, or 125 on a set-up error, 126 on an unexpected exit. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BOOTINFO 0x1000ull
#define GDT 0x2000ull
#define PGT 0x10000ull
#define START_KERNEL_MAP 0xffffffff80000000ull
#define PAGE_OFFSET 0xffff888000000000ull
#define BOOT_MAGIC 0x4c53544152424f4full /* "LSTARBOO" */

static void die(const char *what) {
	fprintf(stderr, "raw_kvm: %s: %s\n", what, strerror(errno));
	exit(125);
}

static uint64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint8_t *ram;
static uint64_t ram_size;

static uint64_t sym(const uint8_t *img, size_t size, const char *name) {
	const Elf64_Ehdr *eh = (const void *)img;
	const Elf64_Shdr *sh = (const void *)(img + eh->e_shoff);
	if (eh->e_shoff + (uint64_t)eh->e_shnum * sizeof *sh > size) return 0;
	for (int i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum) continue;
		const Elf64_Sym *s = (const void *)(img + sh[i].sh_offset);
		const char *str = (const char *)img + sh[sh[i].sh_link].sh_offset;
		for (size_t j = 0; j < sh[i].sh_size / sizeof *s; j++)
			if (!strcmp(str + s[j].st_name, name)) return s[j].st_value;
	}
	return 0;
}

/* A guest-virtual address through the guest's 4-level page tables (for console_write text). */
static uint8_t *gva(uint64_t cr3, uint64_t va) {
	uint64_t t = cr3 & 0xffffffffff000ull;
	for (int level = 3; level >= 0; level--) {
		if (t >= ram_size) return NULL;
		uint64_t e = ((uint64_t *)(ram + t))[(va >> (12 + 9 * level)) & 511];
		if (!(e & 1)) return NULL;
		uint64_t pa = e & 0xffffffffff000ull;
		if (level == 0 || (level < 3 && (e & 0x80))) {
			uint64_t off = va & ((1ull << (12 + 9 * level)) - 1);
			pa = (pa & ~((1ull << (12 + 9 * level)) - 1)) + off;
			return pa < ram_size ? ram + pa : NULL;
		}
		t = pa;
	}
	return NULL;
}

static void seg(struct kvm_segment *s, uint16_t sel, int code) {
	memset(s, 0, sizeof *s);
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = code ? 0xb : 0x3;
	s->present = 1;
	s->s = 1;
	s->l = code;
	s->db = !code;
	s->g = 1;
}

int main(int argc, char **argv) {
	uint64_t t_main = now_ns();
	uint64_t mib = 128;
	int resume_hlt = 0, timings = 0, sync_regs = 0, sync_gprs = 0, opt;
	while ((opt = getopt(argc, argv, "m:Hrst")) != -1) {
		if (opt == 'm') mib = strtoull(optarg, NULL, 0);
		else if (opt == 'H') resume_hlt = 1;
		else if (opt == 't') timings = 1;
		else if (opt == 's') sync_regs = 1;
		else if (opt == 'r') sync_gprs = 1;
		else { fprintf(stderr, "usage: raw_kvm [-m MIB] [-H] [-r] [-s] [-t] IMAGE [CMDLINE]\n"); return 125; }
	}
	if (optind >= argc || mib < 16 || mib > 1024) { fprintf(stderr, "usage: raw_kvm [-m MIB(16..1024)] [-H] [-r] [-s] [-t] IMAGE [CMDLINE]\n"); return 125; }
	const char *cmdline = optind + 1 < argc ? argv[optind + 1] : "";
	ram_size = mib << 20;

	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) die("/dev/kvm");
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) die("KVM_CREATE_VM");
	uint64_t t_vm = now_ns();
	ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED) die("mmap");
	struct kvm_userspace_memory_region region = {.slot = 0, .guest_phys_addr = 0, .memory_size = ram_size,
						     .userspace_addr = (uint64_t)ram};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) die("KVM_SET_USER_MEMORY_REGION");
	int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) die("KVM_CREATE_VCPU");
	int run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	struct kvm_run *run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) die("mmap kvm_run");
	uint64_t t_mem = now_ns();

	/* The image: PT_LOAD segments at p_paddr. */
	int fd = open(argv[optind], O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) die(argv[optind]);
	uint8_t *img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (img == MAP_FAILED) die("mmap image");
	const Elf64_Ehdr *eh = (const void *)img;
	uint64_t kstart = ~0ull, kend = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(img + eh->e_phoff + (uint64_t)i * eh->e_phentsize);
		if (ph->p_type != PT_LOAD) continue;
		if (ph->p_paddr + ph->p_memsz > ram_size || ph->p_offset + ph->p_filesz > (uint64_t)st.st_size) {
			fprintf(stderr, "raw_kvm: segment outside RAM or file\n");
			return 125;
		}
		memcpy(ram + ph->p_paddr, img + ph->p_offset, ph->p_filesz);  /* BSS: RAM is zero already */
		if (ph->p_paddr < kstart) kstart = ph->p_paddr;
		if (ph->p_paddr + ph->p_memsz > kend) kend = ph->p_paddr + ph->p_memsz;
	}
	uint64_t lstar = sym(img, (size_t)st.st_size, "entry_SYSCALL_64");
	uint64_t percpu = sym(img, (size_t)st.st_size, "percpu_area");
	uint64_t tss = sym(img, (size_t)st.st_size, "cpu_tss");
	uint64_t entry = eh->e_entry;
	munmap(img, (size_t)st.st_size);
	close(fd);

	/* Page tables: PML4[273] -> direct map, PML4[511] -> kernel map, 2 MiB pages. */
	uint64_t *pml4 = (uint64_t *)(ram + PGT), *pdpt_d = (uint64_t *)(ram + PGT + 0x1000),
		 *pd_d = (uint64_t *)(ram + PGT + 0x2000), *pdpt_k = (uint64_t *)(ram + PGT + 0x3000),
		 *pd_k = (uint64_t *)(ram + PGT + 0x4000);
	pml4[273] = (PGT + 0x1000) | 3;
	pml4[511] = (PGT + 0x3000) | 3;
	pdpt_d[0] = (PGT + 0x2000) | 3;
	pdpt_k[510] = (PGT + 0x4000) | 3;
	for (uint64_t pa = 0; pa < ram_size; pa += 2 << 20) {
		pd_d[pa >> 21] = pa | 0x83 | (1ull << 63); /* P W PS NX */
		pd_k[pa >> 21] = pa | 0x183;               /* P W PS G */
	}
	/* The GDT (Linux's order, forced by STAR) and the busy 64-bit TSS descriptor. */
	uint64_t *gdt = (uint64_t *)(ram + GDT);
	gdt[1] = 0x00cf9b000000ffffull; /* __KERNEL32_CS */
	gdt[2] = 0x00af9b000000ffffull; /* __KERNEL_CS */
	gdt[3] = 0x00cf93000000ffffull; /* __KERNEL_DS */
	gdt[4] = 0x00cffb000000ffffull; /* __USER32_CS */
	gdt[5] = 0x00cff3000000ffffull; /* __USER_DS */
	gdt[6] = 0x00affb000000ffffull; /* __USER_CS */
	gdt[8] = 0x67 | (tss & 0xffffff) << 16 | 0xbull << 40 | 1ull << 47 | (tss >> 24 & 0xff) << 56;
	gdt[9] = tss >> 32;
	/* BootInfo (shared/boot_protocol.hpp). */
	uint64_t *bi = (uint64_t *)(ram + BOOTINFO);
	bi[0] = 0x4942534cull | 1ull << 32; /* "LSBI", version 1 */
	bi[1] = 1ull << 1;                  /* kFlagMsrsByMonitor; no guest events */
	bi[2] = ram_size;
	bi[3] = kstart;
	bi[4] = kend;
	bi[5] = (kend + 0xfff) & ~0xfffull;
	bi[6] = ram_size;
	bi[7] = PGT;
	bi[8] = GDT;
	strncpy((char *)ram + BOOTINFO + 128, cmdline, 1023);

	/* CPUID as KVM offers it, registers, MSRs. */
	struct { struct kvm_cpuid2 c; struct kvm_cpuid_entry2 e[128]; } cpuid = {.c.nent = 128};
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, &cpuid) < 0) die("KVM_GET_SUPPORTED_CPUID");
	if (ioctl(vcpu, KVM_SET_CPUID2, &cpuid) < 0) die("KVM_SET_CPUID2");
	struct kvm_sregs sr;
	if (ioctl(vcpu, KVM_GET_SREGS, &sr) < 0) die("KVM_GET_SREGS");
	seg(&sr.cs, 0x10, 1);
	seg(&sr.ds, 0x18, 0);
	sr.es = sr.ss = sr.ds;
	seg(&sr.fs, 0, 0);
	sr.gs = sr.fs;
	sr.gdt.base = PAGE_OFFSET + GDT;
	sr.gdt.limit = 16 * 8 - 1;
	sr.idt.base = 0;
	sr.idt.limit = 0;
	memset(&sr.tr, 0, sizeof sr.tr);
	sr.tr.base = tss;
	sr.tr.limit = 0x67;
	sr.tr.selector = 0x40;
	sr.tr.type = 0xb;
	sr.tr.present = 1;
	memset(&sr.ldt, 0, sizeof sr.ldt);
	sr.ldt.type = 2;
	sr.ldt.unusable = 1;
	sr.cr0 = 0x80050033; /* PE MP ET NE WP PG */
	sr.cr3 = PGT;
	sr.cr4 = 0x6a0;      /* PAE PGE OSFXSR OSXMMEXCPT */
	sr.efer = 0xd01;     /* SCE LME LMA NXE */
	if (ioctl(vcpu, KVM_SET_SREGS, &sr) < 0) die("KVM_SET_SREGS");
	struct { struct kvm_msrs m; struct kvm_msr_entry e[4]; } msrs = {
		.m.nmsrs = 4,
		.e = {{.index = 0xc0000081, .data = 0x0023001000000000ull}, {.index = 0xc0000082, .data = lstar},
		      {.index = 0xc0000084, .data = 0x47700}, {.index = 0xc0000102, .data = percpu}}};
	if (ioctl(vcpu, KVM_SET_MSRS, &msrs) != 4) die("KVM_SET_MSRS");
	struct kvm_regs regs = {.rip = entry, .rdi = BOOTINFO, .rsi = BOOT_MAGIC, .rflags = 2};
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) die("KVM_SET_REGS");
	if (sync_regs) run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	else if (sync_gprs) run->kvm_valid_regs = KVM_SYNC_X86_REGS;
	uint64_t t_load = now_ns();

	uint64_t exits = 0, t_first = 0, t_run = now_ns();
	int status = -1;
	while (status < 0) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0 && errno != EINTR) die("KVM_RUN");
		if (!exits++) t_first = now_ns();
		switch (run->exit_reason) {
		case KVM_EXIT_IO: {
			uint8_t *data = (uint8_t *)run + run->io.data_offset;
			if (run->io.direction == KVM_EXIT_IO_IN) { memset(data, 0xff, (size_t)run->io.size * run->io.count); break; }
			uint32_t v = 0;
			memcpy(&v, data, run->io.size < 4 ? run->io.size : 4);
			if (run->io.port == 0xe9) {
				fwrite(data, 1, run->io.count, stdout);
			} else if (run->io.port == 0xec4) {
				status = (int)(v & 0xff);
			} else if (run->io.port == 0xec0 && v + 32 <= ram_size) {
				const uint32_t *h = (const uint32_t *)(ram + v); /* magic, type | size << 16, fd, va, len */
				if (h[0] == 0x5645534c && (h[1] & 0xffff) == 4) {
					const uint64_t *cw = (const uint64_t *)(h + 2);
					if (ioctl(vcpu, KVM_GET_SREGS, &sr) < 0) die("KVM_GET_SREGS");
					for (uint64_t i = 0; i < cw[2] && i < 4096; i++) {
						uint8_t *p = gva(sr.cr3, cw[1] + i);
						if (p) fputc(*p, stdout);
					}
				}
			}
			break;
		}
		case KVM_EXIT_MMIO:
			if (!run->mmio.is_write) memset(run->mmio.data, 0xff, sizeof run->mmio.data);
			break;
		case KVM_EXIT_HLT:
			if (!resume_hlt) status = 0;
			break;
		case KVM_EXIT_INTR:
			break;
		default:
			fprintf(stderr, "raw_kvm: unexpected exit %u\n", run->exit_reason);
			status = 126;
		}
	}
	uint64_t t_exit = now_ns();
	fflush(stdout);
	close(vcpu);
	munmap(run, (size_t)run_size);
	close(vm);
	munmap(ram, ram_size);
	close(kvm);
	uint64_t t_end = now_ns();
	/* The run loop's time, as lstar's summary counts it: from the first KVM_RUN to the exit. */
	fprintf(stderr, "raw_kvm: exits=%llu run_ns=%llu\n", (unsigned long long)exits, (unsigned long long)(t_exit - t_run));
	if (timings)
		fprintf(stderr,
			"raw_kvm: vm_create_ns=%llu memory_ns=%llu load_ns=%llu "
			"first_exit_ns=%llu guest_run_ns=%llu teardown_ns=%llu\n",
			(unsigned long long)(t_vm - t_main),
			(unsigned long long)(t_mem - t_vm), (unsigned long long)(t_load - t_mem),
			(unsigned long long)(t_first - t_run), (unsigned long long)(t_exit - t_run),
			(unsigned long long)(t_end - t_exit));
	return status;
}
