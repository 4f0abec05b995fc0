// The ELF program loader (compare Linux's fs/binfmt_elf.c and the stack setup of fs/exec.c),
// for static ET_EXEC x86-64 programs embedded in the kernel image.
//
// Read-only segments are mapped in place: the embedded file is page-aligned in the kernel image,
// so its pages can be shared with user space (U bit on the user mapping only). Writable segments
// get fresh pages with the file bytes copied in; their .bss is zero because fresh pages are.
#include "binfmt.hpp"

#include "cmdline.hpp"
#include "elf.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "syscall_nr.hpp"
#include "time.hpp"

namespace lstar::kernel {

using namespace elf;

namespace {

constexpr unsigned kMaxPhnum = 16;
constexpr uint64_t kUserStackPages = 4;  // 16 KiB below kUserStackTop
constexpr long kE2BIG = 7, kENOEXEC = 8;  // errno values shared/syscall_nr.hpp does not name

long check_header(const Elf64_Ehdr& eh, uint64_t size) {
    if (memcmp(eh.e_ident, ELFMAG, 4) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_ident[EI_VERSION] != EV_CURRENT)
        return -err::kEINVAL;
    if (eh.e_type != ET_EXEC || eh.e_machine != EM_X86_64 || eh.e_phentsize != sizeof(Elf64_Phdr) ||
        eh.e_phnum == 0 || eh.e_phnum > kMaxPhnum || eh.e_phoff > size ||
        size - eh.e_phoff < uint64_t(eh.e_phnum) * sizeof(Elf64_Phdr) || eh.e_entry >= boot::kUserMax)
        return -err::kEINVAL;
    return 0;
}

long check_segment(const Elf64_Phdr& ph, uint64_t size) {
    if (ph.p_filesz > ph.p_memsz || ph.p_offset > size || size - ph.p_offset < ph.p_filesz) return -err::kEINVAL;
    // In the user half, above page 0, and congruent with its file offset modulo the page size.
    if (ph.p_vaddr < x86::kPageSize || !access_ok(ph.p_vaddr, ph.p_memsz)) return -err::kEINVAL;
    if ((ph.p_vaddr ^ ph.p_offset) & ~kPageMask) return -err::kEINVAL;
    return 0;
}

long map_segment(const Elf64_Phdr& ph, const unsigned char* file) {
    const uint64_t flags = ((ph.p_flags & PF_W) ? x86::kPteWrite : 0) | ((ph.p_flags & PF_X) ? 0 : x86::kPteNx);
    const uint64_t first = page_align_down(ph.p_vaddr), last = page_align_up(ph.p_vaddr + ph.p_memsz);
    const uint64_t file_phys = virt_to_phys(file);
    const bool in_place = !(ph.p_flags & PF_W) && ph.p_filesz == ph.p_memsz && !(file_phys & ~kPageMask);

    for (uint64_t va = first; va < last; va += x86::kPageSize) {
        uint64_t pa;
        if (in_place) {
            pa = file_phys + page_align_down(ph.p_offset) + (va - first);
        } else {
            pa = memblock_alloc_page();
            if (!pa) return -err::kENOMEM;
            // The part of [p_vaddr, p_vaddr + p_filesz) that falls in this page comes from the file.
            uint64_t lo = va > ph.p_vaddr ? va : ph.p_vaddr;
            uint64_t hi = ph.p_vaddr + ph.p_filesz;
            if (hi > va + x86::kPageSize) hi = va + x86::kPageSize;
            if (lo < hi)
                memcpy(phys_to_virt<char>(pa) + (lo - va), file + ph.p_offset + (lo - ph.p_vaddr), hi - lo);
        }
        if (!map_page(va, pa, flags)) return -err::kEINVAL;  // overlapping segments, or out of memory
    }
    return 0;
}

// Linux's initial process stack, from the top down: the argument strings, then (16-byte aligned)
// argc, argv[0..argc-1], NULL, envp (empty) NULL, auxv {AT_PAGESZ, AT_ENTRY, AT_SYSINFO_EHDR, AT_NULL}.
// Everything fits in the top page, which is written through the direct map.
long setup_stack(const char* const* argv, unsigned argc, uint64_t entry, uint64_t sysinfo_ehdr, uint64_t& sp) {
    const uint64_t top = boot::kUserStackTop;
    uint64_t top_page_pa = 0;
    for (uint64_t i = 1; i <= kUserStackPages; i++) {
        uint64_t pa = memblock_alloc_page();
        if (!pa || !map_page(top - i * x86::kPageSize, pa, x86::kPteWrite | x86::kPteNx)) return -err::kENOMEM;
        if (i == 1) top_page_pa = pa;
    }
    const uint64_t page_va = top - x86::kPageSize;
    char* const page = phys_to_virt<char>(top_page_pa);
    auto kaddr = [&](uint64_t uva) { return page + (uva - page_va); };

    uint64_t strings[kMaxArgs];  // user addresses of the argv strings
    if (argc > kMaxArgs) return -kE2BIG;
    uint64_t p = top;
    for (unsigned i = argc; i-- > 0;) {
        uint64_t len = strlen(argv[i]) + 1;
        if (p - page_va < len + 512) return -kE2BIG;  // keep room for the vectors
        p -= len;
        memcpy(kaddr(p), argv[i], len);
        strings[i] = p;
    }

    const uint64_t words = 1 + argc + 1 + 1 + 8;
    sp = (p - words * 8) & ~uint64_t(15);
    auto* v = reinterpret_cast<uint64_t*>(kaddr(sp));
    *v++ = argc;
    for (unsigned i = 0; i < argc; i++) *v++ = strings[i];
    *v++ = 0;  // end of argv
    *v++ = 0;  // end of envp
    *v++ = AT_PAGESZ, *v++ = x86::kPageSize;
    *v++ = AT_ENTRY, *v++ = entry;
    *v++ = AT_SYSINFO_EHDR, *v++ = sysinfo_ehdr;
    *v++ = AT_NULL, *v++ = 0;
    return 0;
}

}  // namespace

long load_elf_binary(const UserProgram& prog, const char* const* argv, unsigned argc, UserStart& out) {
    const uint64_t size = uint64_t(prog.end - prog.start);
    if (size < sizeof(Elf64_Ehdr)) return -kENOEXEC;
    const auto& eh = *reinterpret_cast<const Elf64_Ehdr*>(prog.start);
    if (check_header(eh, size)) return -kENOEXEC;
    const auto* ph = reinterpret_cast<const Elf64_Phdr*>(prog.start + eh.e_phoff);
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0) continue;
        if (check_segment(ph[i], size)) return -kENOEXEC;
        if (long e = map_segment(ph[i], prog.start)) return e;
    }
    out.entry = eh.e_entry;
    uint64_t sysinfo_ehdr;
    if (long e = arch_setup_additional_pages(sysinfo_ehdr)) return e;  // the vDSO (vdso.cpp)
    return setup_stack(argv, argc, eh.e_entry, sysinfo_ehdr, out.sp);
}

}  // namespace lstar::kernel
