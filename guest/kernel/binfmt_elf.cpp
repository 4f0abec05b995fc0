// The ELF program loader (compare Linux's fs/binfmt_elf.c: load_elf_binary, create_elf_tables, and
// the stack set-up of fs/exec.c), for static x86-64 programs: ET_EXEC, and ET_DYN without an
// interpreter (static-pie), from the initramfs or embedded in the kernel image.
//
// Segments become areas of the address space (mmap.cpp) backed by the file's own bytes: a page
// is filled on first touch, and a page-aligned read-only page is mapped from the file in place
// (initramfs pages; the monitor's packer aligns file data to 4 KiB for this) instead of copied.
#include "binfmt.hpp"

#include "elf.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "printk.hpp"
#include "processor.hpp"
#include "random.hpp"
#include "resource.hpp"
#include "syscall_nr.hpp"
#include "time.hpp"

namespace lstar::kernel {

using namespace elf;

uint64_t vdso_base;

namespace {

constexpr unsigned kMaxPhnum = 64;
constexpr uint64_t kElfEtDynBase = 0x555555554000ull;  // ELF_ET_DYN_BASE (2/3 of TASK_SIZE), unrandomized
constexpr uint64_t kStackExpand = 128 * 1024;           // Linux's initial stack_expand
constexpr uint64_t kMmapGapMin = 128ull << 20;          // mmap_base: at least this below the stack top
constexpr char kPlatform[] = "x86_64";

long noexec(const char* filename, const char* why) {
    pr_info("execve %s: %s", filename, why);
    return -err::kENOEXEC;
}

uint32_t vm_flags(uint32_t p_flags) {
    return ((p_flags & PF_R) ? kVmRead : 0) | ((p_flags & PF_W) ? kVmWrite : 0) | ((p_flags & PF_X) ? kVmExec : 0);
}

// Linux's create_elf_tables: strings at the top, then AT_RANDOM's bytes, then (16-byte aligned)
// argc, argv[], NULL, envp[], NULL, auxv. Written through the user addresses once faulted in.
long create_elf_tables(const char* filename, const ExecArgs& args, const Elf64_Ehdr& eh, uint64_t phdr_addr,
                       uint64_t bias, uint64_t& sp_out) {
    const uint64_t top = mm.stack_top;
    const uint64_t fn_len = strlen(filename) + 1;
    uint64_t p = top - 8;  // a NULL word at the very top, as Linux's bprm->p starts
    p -= fn_len;
    const uint64_t execfn = p;
    p -= args.used;
    const uint64_t strings = p;
    p &= ~uint64_t(15);
    p -= sizeof kPlatform;
    const uint64_t platform = p;
    p -= 16;
    const uint64_t random = p;

    uint64_t auxv[2 * 22];
    unsigned n = 0;
    auto aux = [&](uint64_t type, uint64_t val) { auxv[n++] = type, auxv[n++] = val; };
    uint32_t a, b, c, d;
    cpuid(1, a, b, c, d);
    if (vdso_base) aux(AT_SYSINFO_EHDR, vdso_base);  // ARCH_DLINFO (the vDSO, when mapped)
    aux(AT_HWCAP, d);                                 // ELF_HWCAP: CPUID.01H:EDX
    aux(AT_PAGESZ, x86::kPageSize);
    aux(AT_CLKTCK, 100);                              // USER_HZ
    aux(AT_PHDR, phdr_addr);
    aux(AT_PHENT, sizeof(Elf64_Phdr));
    aux(AT_PHNUM, eh.e_phnum);
    aux(AT_BASE, 0);  // no interpreter
    aux(AT_FLAGS, 0);
    aux(AT_ENTRY, eh.e_entry + bias);
    aux(AT_UID, 0), aux(AT_EUID, 0), aux(AT_GID, 0), aux(AT_EGID, 0);
    aux(AT_SECURE, 0);
    aux(AT_RANDOM, random);
    aux(AT_HWCAP2, 0);
    aux(AT_EXECFN, execfn);
    aux(AT_PLATFORM, platform);
    aux(AT_NULL, 0);

    const uint64_t words = 1 + args.argc + 1 + args.envc + 1 + n;
    const uint64_t sp = (p - words * 8) & ~uint64_t(15);
    if (!user_range_accessible(sp, top - sp, true)) return -err::kENOMEM;

    memcpy(reinterpret_cast<void*>(execfn), filename, fn_len);
    memcpy(reinterpret_cast<void*>(strings), args.space, args.used);
    memcpy(reinterpret_cast<void*>(platform), kPlatform, sizeof kPlatform);
    auto* r = reinterpret_cast<uint64_t*>(random);
    r[0] = get_random_u64(), r[1] = get_random_u64();
    auto* v = reinterpret_cast<uint64_t*>(sp);
    *v++ = args.argc;
    for (uint32_t i = 0; i < args.argc; i++) *v++ = strings + args.offset[i];
    *v++ = 0;
    for (uint32_t i = 0; i < args.envc; i++) *v++ = strings + args.offset[args.argc + i];
    *v++ = 0;
    memcpy(v, auxv, n * 8);
    mm.arg_start = strings;
    mm.arg_end = mm.env_start = strings + (args.envc ? args.offset[args.argc] : args.used);
    mm.env_end = strings + args.used;
    sp_out = sp;
    return 0;
}

}  // namespace

long load_elf_binary(const unsigned char* file, uint64_t size, const char* filename, const ExecArgs& args,
                     UserStart& out) {
    if (size < sizeof(Elf64_Ehdr)) return noexec(filename, "too short for an ELF header");
    const auto& eh = *reinterpret_cast<const Elf64_Ehdr*>(file);
    if (memcmp(eh.e_ident, ELFMAG, 4) != 0) return noexec(filename, "not an ELF file");
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64)
        return noexec(filename, "not an x86-64 ELF64 little-endian file");
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) return noexec(filename, "neither ET_EXEC nor ET_DYN");
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phnum > kMaxPhnum || eh.e_phoff > size ||
        size - eh.e_phoff < uint64_t(eh.e_phnum) * sizeof(Elf64_Phdr) || (eh.e_phoff & 7))
        return noexec(filename, "bad program headers");
    const auto* ph = reinterpret_cast<const Elf64_Phdr*>(file + eh.e_phoff);

    // Check every segment first: nothing of the old image may change before the point of no return.
    uint64_t lo = ~0ull, hi = 0, vm = 0, data = 0, phdr_vaddr = 0;
    bool phdr_found = false;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        const Elf64_Phdr& p = ph[i];
        if (p.p_type == PT_INTERP)
            return noexec(filename, "has PT_INTERP (dynamically linked): only static programs run here");
        if (p.p_type == PT_PHDR) phdr_vaddr = p.p_vaddr, phdr_found = true;
        if (p.p_type != PT_LOAD || p.p_memsz == 0) continue;
        if (p.p_filesz > p.p_memsz || p.p_offset > size || size - p.p_offset < p.p_filesz ||
            ((p.p_vaddr ^ p.p_offset) & ~kPageMask) || p.p_vaddr + p.p_memsz < p.p_vaddr)
            return noexec(filename, "bad PT_LOAD segment");
        if (!phdr_found && eh.e_phoff >= p.p_offset && eh.e_phoff - p.p_offset < p.p_filesz)
            phdr_vaddr = p.p_vaddr + (eh.e_phoff - p.p_offset);
        if (page_align_down(p.p_vaddr) < lo) lo = page_align_down(p.p_vaddr);
        if (p.p_vaddr + p.p_memsz > hi) hi = p.p_vaddr + p.p_memsz;
        const uint64_t len = page_align_up(p.p_vaddr + p.p_memsz) - page_align_down(p.p_vaddr);
        vm += len;
        if (p.p_flags & PF_W) data += len;
    }
    if (!hi) return noexec(filename, "no PT_LOAD segment");
    const uint64_t bias = eh.e_type == ET_DYN ? kElfEtDynBase - lo : 0;
    if (lo + bias < x86::kPageSize || !access_ok(lo + bias, hi - lo) || hi + bias > boot::kUserStackTop - (1ull << 30))
        return noexec(filename, "segments outside the user address space");

    // RLIMIT_STACK at exec (Linux's bprm_stack_limits): the strings and pointers may use at most
    // a quarter of it; the stack area starts at 128 KiB above them, never beyond the limit.
    const uint64_t stack_lim = rlimit(kRlimitStack);
    const uint64_t arg_bytes = args.used + strlen(filename) + 1 + 8 * (args.argc + args.envc + 2) + 512;
    if (stack_lim != kRlimInfinity && arg_bytes > stack_lim / 4) return -err::kE2BIG;
    uint64_t stack_size = page_align_up(arg_bytes) + kStackExpand;
    if (stack_size > stack_lim) stack_size = page_align_down(stack_lim);
    if (rlimit(kRlimitAs) != kRlimInfinity && vm + stack_size > rlimit(kRlimitAs)) return -err::kENOMEM;
    if (rlimit(kRlimitData) != kRlimInfinity && data > rlimit(kRlimitData)) return -err::kENOMEM;

    // The point of no return (Linux's begin_new_exec): the old image goes.
    clear_user_mappings();
    mm_reset();
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        const Elf64_Phdr& p = ph[i];
        if (p.p_type != PT_LOAD || p.p_memsz == 0) continue;
        const uint64_t start = page_align_down(p.p_vaddr + bias), end = page_align_up(p.p_vaddr + bias + p.p_memsz);
        const uint64_t lead = (p.p_vaddr + bias) - start;  // bytes of the first page before the segment
        if (find_vma(start) || find_vma(end - 1)) do_munmap(start, end - start);  // a shared page: later wins
        if (insert_vma(start, end, vm_flags(p.p_flags), file + p.p_offset - lead, lead + p.p_filesz)) {
            pr_err("execve %s: out of address-space areas", filename);
            do_exit(128 + 9);
        }
    }
    mm.start_brk = mm.brk = page_align_up(hi + bias);
    mm.stack_top = boot::kUserStackTop;
    const uint64_t gap = stack_lim > kMmapGapMin && stack_lim < (1ull << 40) ? stack_lim + (1ull << 20) : kMmapGapMin;
    mm.mmap_base = page_align_down(mm.stack_top - gap);
    // Linux's arch_setup_additional_pages() (vdso.cpp): [vvar][vDSO] at a random address, which
    // create_elf_tables passes as AT_SYSINFO_EHDR.
    vdso_base = 0;
    if (arch_setup_additional_pages(vdso_base)) pr_err("execve %s: the vDSO could not be mapped", filename);
    if (insert_vma(mm.stack_top - stack_size, mm.stack_top, kVmRead | kVmWrite | kVmGrowsDown | kVmStack) ||
        create_elf_tables(filename, args, eh, phdr_vaddr + bias, bias, out.sp)) {
        pr_err("execve %s: no memory for the stack", filename);
        do_exit(128 + 9);
    }
    out.entry = eh.e_entry + bias;
    return 0;
}

}  // namespace lstar::kernel
