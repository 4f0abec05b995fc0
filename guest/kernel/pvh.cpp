// The C half of the PVH entry (compare Linux's arch/x86/platform/pvh/enlighten.c,
// xen_prepare_pvh): head64.S's pvh_start_xen has built long mode and calls this on the boot stack
// with hvm_start_info's physical address. It returns the physical address of a BootInfo for
// start_kernel, so that the rest of the boot is the same for both protocols:
//
//  - under lstar (`--msr-setup guest`), the command line says lstar.bootinfo=ADDR: the monitor's
//    BootInfo (events on or off, free RAM), copied, with our own page tables and GDT in it;
//  - under any other PVH loader (QEMU -kernel), one made from hvm_start_info: the command line,
//    the largest RAM range of the memory map; no monitor, so console on COM1 and no events.
#include "events.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "processor.hpp"
#include "pvh.hpp"
#include "time.hpp"

extern "C" char _text[], _end[];  // linker.ld

namespace lstar::kernel {

bool pvh_boot;

namespace {

boot::BootInfo pvh_boot_info;
constexpr uint64_t kMaxMapped = 1ull << 30;  // head64.S maps at most 1 GiB of RAM

// The number after key in the command line (decimal or 0x hex), if the key is there.
bool cmdline_number(const char* line, const char* key, uint64_t& out) {
    for (const char* s = line; *s; s++) {
        if (s != line && s[-1] != ' ') continue;  // keys start tokens
        const char *p = s, *k = key;
        while (*k && *p == *k) p++, k++;
        if (*k) continue;
        unsigned base = 10;
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) base = 16, p += 2;
        uint64_t v = 0;
        for (;; p++) {
            unsigned d = *p >= '0' && *p <= '9' ? unsigned(*p - '0')
                       : base == 16 && (*p | 0x20) >= 'a' && (*p | 0x20) <= 'f' ? unsigned((*p | 0x20) - 'a' + 10)
                       : 99;
            if (d >= base) break;
            v = v * base + d;
        }
        out = v;
        return true;
    }
    return false;
}

void from_start_info(const pvh::StartInfo& si, const char* cmdline, boot::BootInfo& bi) {
    bi.magic = boot::kBootInfoMagic;
    bi.version = boot::kBootInfoVersion;
    bi.kernel_phys_start = virt_to_phys(_text);
    bi.kernel_phys_end = virt_to_phys(_end);
    const auto* map = si.version >= 1 ? phys_to_virt<const pvh::MemmapEntry>(si.memmap_paddr) : nullptr;
    const pvh::MemmapEntry* best = nullptr;
    for (uint32_t i = 0; map && i < si.memmap_entries; i++) {
        if (map[i].type != pvh::kMemmapRam) continue;
        if (map[i].addr + map[i].size > bi.ram_bytes) bi.ram_bytes = map[i].addr + map[i].size;
        if (!best || map[i].size > best->size) best = &map[i];
    }
    if (best) {
        const uint64_t image_end = page_align_up(bi.kernel_phys_end);
        bi.free_phys_start = best->addr > image_end ? best->addr : image_end;
        bi.free_phys_end = best->addr + best->size < kMaxMapped ? best->addr + best->size : kMaxMapped;
    }
    // An initrd (QEMU's -initrd): the first module. Keep it out of the free range, and use it only
    // inside the direct map the PVH head built.
    if (si.nr_modules && si.modlist_paddr) {
        const auto& mod = *phys_to_virt<const pvh::ModlistEntry>(si.modlist_paddr);
        if (mod.size && mod.paddr + mod.size <= kMaxMapped && mod.paddr + mod.size > mod.paddr) {
            bi.initrd_phys = mod.paddr;
            bi.initrd_size = mod.size;
            if (mod.paddr >= bi.free_phys_start && mod.paddr < bi.free_phys_end) bi.free_phys_end = page_align_down(mod.paddr);
            else if (mod.paddr < bi.free_phys_start && mod.paddr + mod.size > bi.free_phys_start)
                bi.free_phys_start = page_align_up(mod.paddr + mod.size);
        }
    }
    // No host to ask for randomness: the TSC at boot seeds AT_RANDOM and getrandom().
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    bi.random_seed = uint64_t(hi) << 32 | lo;
    unsigned n = 0;
    while (n < boot::kCmdlineMax - 1 && cmdline[n]) bi.cmdline[n] = cmdline[n], n++;
}

}  // namespace

}  // namespace lstar::kernel

extern "C" uint64_t xen_prepare_pvh(uint32_t start_info_phys) {
    using namespace lstar;
    using namespace lstar::kernel;
    const auto& si = *phys_to_virt<const pvh::StartInfo>(start_info_phys);
    const char* cmdline = si.cmdline_paddr ? phys_to_virt<const char>(si.cmdline_paddr) : "";
    pvh_boot = true;
    uint64_t bi;
    if (si.magic == pvh::kStartMagic && cmdline_number(cmdline, "lstar.bootinfo=", bi)) {
        memcpy(&pvh_boot_info, phys_to_virt<const void>(bi), sizeof pvh_boot_info);
    } else {
        lstar_monitor = false;
        serial_init();
        // Mask both legacy 8259 PICs: this kernel takes no interrupts, and on a PC the BIOS leaves
        // the timer on vector 8, which the CPU would deliver as soon as ring 3 sets IF (#DF!).
        outb(0x21, 0xff);
        outb(0xa1, 0xff);
        from_start_info(si, cmdline, pvh_boot_info);
        read_persistent_clock(pvh_boot_info);  // no monitor to hand over the wall clock
    }
    pvh_boot_info.boot_pml4_phys = virt_to_phys(early_top_pgt);
    pvh_boot_info.gdt_phys = virt_to_phys(gdt_page);
    return virt_to_phys(&pvh_boot_info);
}
