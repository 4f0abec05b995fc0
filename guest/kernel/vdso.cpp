// The vDSO and its data page (compare Linux's arch/x86/entry/vdso/vma.c, map_vdso and
// vdso_addr): at every exec the process gets, at a random page-aligned address,
//
//   base          the vvar page: vdso::vdso_data, read-only and NX for user space, written by the
//                 kernel (time.cpp) through its own mapping;
//   base + 4 KiB  the vDSO image (guest/vdso, built as linux-vdso.so.1), read + execute, its
//                 pages shared with the kernel image (it is embedded page-aligned: vdso_image.S).
//
// AT_SYSINFO_EHDR = base + 4 KiB. The address is chosen per exec from 26 bits of a 64-bit mix
// (splitmix64) of the TSC at that moment, the boot wall clock and an exec counter: the TSC alone
// would make the vDSO land where the same boot sequence put it last time on a deterministic CPU.
#include "elf.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "printk.hpp"
#include "syscall_nr.hpp"
#include "time.hpp"

extern "C" const unsigned char vdso_image_64[], vdso_image_64_end[];  // vdso_image.S (embed.py)

namespace lstar::kernel {

namespace {

// Alone in its page (page-aligned, one page): mapping it into user space exposes nothing else.
union alignas(4096) VvarPage {
    vdso::vdso_data data;
    unsigned char bytes[vdso::kVvarSize];
};
__attribute__((section(".bss..page_aligned"))) VvarPage vvar;
static_assert(sizeof(VvarPage) == 4096);

uint64_t exec_count;

uint64_t splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// The image as the build made it: an ELF64 shared object, one PT_LOAD at vaddr 0 (so that it runs
// where it is mapped without relocation). Checked once per exec: a few loads.
bool vdso_image_ok(uint64_t size) {
    using namespace elf;
    const auto& eh = *reinterpret_cast<const Elf64_Ehdr*>(vdso_image_64);
    if (size < sizeof eh || memcmp(eh.e_ident, ELFMAG, 4) != 0 || eh.e_type != ET_DYN) return false;
    if (eh.e_phoff > size || size - eh.e_phoff < uint64_t(eh.e_phnum) * sizeof(Elf64_Phdr)) return false;
    const auto* ph = reinterpret_cast<const Elf64_Phdr*>(vdso_image_64 + eh.e_phoff);
    for (unsigned i = 0; i < eh.e_phnum; i++)
        if (ph[i].p_type == PT_LOAD && (ph[i].p_vaddr != 0 || ph[i].p_offset != 0 || ph[i].p_memsz > size))
            return false;
    return true;
}

}  // namespace

vdso::vdso_data& vvar_data() { return vvar.data; }

long arch_setup_additional_pages(uint64_t& sysinfo_ehdr) {
    const uint64_t size = uint64_t(vdso_image_64_end - vdso_image_64);
    if (!vdso_image_ok(size)) {
        pr_err("vdso: the embedded image is not a relocation-free ELF shared object");
        return -err::kENOEXEC;
    }
    const uint64_t seed = rdtsc() ^ boot_info->boot_wallclock_ns ^ (++exec_count << 48);
    const uint64_t base = vdso::kVdsoBase + (splitmix64(seed) % vdso::kVdsoRandomPages) * x86::kPageSize;

    if (!map_page(base, virt_to_phys(&vvar), x86::kPteNx)) return -err::kENOMEM;  // R, NX
    const uint64_t image_phys = virt_to_phys(vdso_image_64);
    for (uint64_t off = 0; off < size; off += x86::kPageSize)
        if (!map_page(base + vdso::kVvarSize + off, image_phys + off, 0)) return -err::kENOMEM;  // R X
    sysinfo_ehdr = base + vdso::kVvarSize;
    // Areas too (as Linux's [vvar] and [vdso] VMAs), so that mmap places nothing over them.
    if (long e = insert_vma(base, base + vdso::kVvarSize, kVmRead)) return e;
    return insert_vma(sysinfo_ehdr, sysinfo_ehdr + page_align_up(size), kVmRead | kVmExec);
}

}  // namespace lstar::kernel
