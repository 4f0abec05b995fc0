#include "boot/foreign_boot.hpp"

#include <elf.h>

#include <cstring>
#include <stdexcept>

#include "boot/linux_boot.hpp"
#include "common/hex.hpp"
#include "multiboot.hpp"

namespace lstar {

using namespace bootdata;

namespace {

constexpr uint64_t kPage = 4096;
uint64_t page_up(uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }


void write_string(GuestMemory& mem, uint64_t gpa, const std::string& s) {
    mem.write_bytes(gpa, {reinterpret_cast<const uint8_t*>(s.c_str()), s.size() + 1});
}

// The ELF entry as a physical address: e_entry inside a segment's virtual range, moved by that
// segment's p_paddr - p_vaddr (GRUB does the same for higher-half kernels).
uint64_t physical_entry(const ElfImage& e) {
    for (const auto& s : e.segments)
        if (e.entry >= s.vaddr && e.entry - s.vaddr < s.memsz) return e.entry - s.vaddr + s.paddr;
    return e.entry;
}

// What the boot data occupies (the GDT at boot::kGdtPhys included): a kernel may load anywhere
// else, below 1 MiB too, as under QEMU.
const ReservedRange kBootData{kInfoPhys, kModCmdlineEnd,
                              "the boot data it hands over (multiboot_info or hvm_start_info, memory map, module "
                              "list, GDT, command lines)"};

// Multiboot with the header's address fields: copy the planned range, zero the bss.
LoadedKernel load_aout(const KernelImage& image, GuestMemory& mem) {
    RawLoad r = plan_aout_load(*find_multiboot_header(image.file), image.file.size());
    if (r.phys < kBootData.end && r.phys + r.memsz > kBootData.start)
        throw BadImage(image.name + ": the load range [" + hex(r.phys) + ", " + hex(r.phys + r.memsz) + ") overlaps [" +
                       hex(kBootData.start) + ", " + hex(kBootData.end) + "), where lstar puts " + kBootData.what);
    if (!mem.contains(r.phys, r.memsz))
        throw BadImage(image.name + ": the multiboot load range [" + hex(r.phys) + ", " + hex(r.phys + r.memsz) +
                       ") lies outside guest RAM (" + std::to_string(mem.size() >> 20) + " MiB)");
    auto dst = mem.span(r.phys, r.memsz);
    std::memcpy(dst.data(), image.file.data() + r.file_offset, r.filesz);
    std::memset(dst.data() + r.filesz, 0, r.memsz - r.filesz);
    return {r.entry, r.phys, r.phys + r.memsz};
}

void write_multiboot(GuestMemory& mem, const BootDataPlan& p) {
    multiboot::Info mi{};
    mi.flags = multiboot::kInfoMemory | multiboot::kInfoCmdline | multiboot::kInfoMods | multiboot::kInfoMmap |
               multiboot::kInfoLoaderName;
    mi.mem_lower = uint32_t(kEbdaStart >> 10);
    mi.mem_upper = uint32_t((mem.size() - kHighRamStart) >> 10);  // RAM is contiguous from 1 MiB up
    mi.cmdline = uint32_t(p.cmdline_phys);
    mi.mods_count = uint32_t(p.modules.size());
    mi.mods_addr = uint32_t(kModlistPhys);
    for (size_t i = 0; i < p.modules.size(); ++i) {
        const auto& m = p.modules[i];
        mem.write(kModlistPhys + i * sizeof(multiboot::Module),
                  multiboot::Module{uint32_t(m.phys), uint32_t(m.phys + m.data.size()), uint32_t(m.cmdline_phys), 0});
    }
    for (size_t i = 0; i < p.memmap.size(); ++i) {
        const auto& e = p.memmap[i];
        mem.write(kMemmapPhys + i * sizeof(multiboot::MmapEntry), multiboot::MmapEntry{20, e.addr, e.size, e.type});
    }
    mi.mmap_addr = uint32_t(kMemmapPhys);
    mi.mmap_length = uint32_t(p.memmap.size() * sizeof(multiboot::MmapEntry));
    write_string(mem, kLoaderNamePhys, "lstar");
    mi.boot_loader_name = uint32_t(kLoaderNamePhys);
    mem.write(kInfoPhys, mi);
}

}  // namespace

BootDataPlan plan_boot_data(uint64_t ram, uint64_t kernel_end, const std::string& cmdline,
                            const std::vector<BootModule>& modules) {
    if (ram > kForeignRamMax)
        throw UsageError("PVH and multiboot boots take at most " + std::to_string(kForeignRamMax >> 20) +
                         " MiB of RAM (-m): lstar maps RAM in one piece below the 4 GiB hole");
    if (ram <= kHighRamStart) throw UsageError("guest RAM must extend past 1 MiB");
    if (cmdline.size() >= kForeignCmdlineMax)
        throw UsageError("the command line is " + std::to_string(cmdline.size()) + " bytes; at most " +
                         std::to_string(kForeignCmdlineMax - 1));
    if (modules.size() > kModulesMax)
        throw UsageError(std::to_string(modules.size()) + " modules; at most " + std::to_string(kModulesMax));
    BootDataPlan p;
    p.memmap = {{0, kEbdaStart, pvh::kMemmapRam, 0},
                {kEbdaStart, kHighRamStart - kEbdaStart, pvh::kMemmapReserved, 0},
                {kHighRamStart, ram - kHighRamStart, pvh::kMemmapRam, 0}};
    uint64_t at = page_up(kernel_end), cmd = kModCmdlinePhys;
    for (const auto& m : modules) {
        BootModule placed{m.name, {}, at, cmd};
        if (cmd + m.name.size() + 1 > kModCmdlineEnd)
            throw UsageError("the modules' names take more than " + std::to_string(kModCmdlineEnd - kModCmdlinePhys) +
                             " bytes");
        cmd += m.name.size() + 1;
        if (m.data.size() > ram || at > ram - m.data.size())
            throw UsageError("module " + m.name + " (" + std::to_string(m.data.size()) + " bytes at " + hex(at) +
                             ") does not fit in guest RAM (" + std::to_string(ram >> 20) + " MiB): raise -m");
        placed.data = m.data;  // the bytes go with the plan: setup_foreign copies them from here
        p.modules.push_back(std::move(placed));
        at = page_up(at + m.data.size());
        p.end = at;
    }
    if (p.end == 0) p.end = page_up(kernel_end);
    return p;
}

void write_pvh_start_info(GuestMemory& mem, uint64_t info_phys, uint64_t cmdline_phys,
                          const std::vector<pvh::MemmapEntry>& memmap, const std::vector<pvh::ModlistEntry>& modules) {
    const uint64_t memmap_phys = info_phys + bootdata::kPvhMemmapOffset;
    const uint64_t modlist_phys = info_phys + bootdata::kPvhModlistOffset;
    pvh::StartInfo si{};
    si.magic = pvh::kStartMagic;
    si.version = 1;
    si.cmdline_paddr = cmdline_phys;
    si.memmap_paddr = memmap_phys;
    si.memmap_entries = uint32_t(memmap.size());
    si.nr_modules = uint32_t(modules.size());
    si.modlist_paddr = modules.empty() ? 0 : modlist_phys;
    for (size_t i = 0; i < modules.size(); ++i) mem.write(modlist_phys + i * sizeof(pvh::ModlistEntry), modules[i]);
    mem.write_bytes(memmap_phys, {reinterpret_cast<const uint8_t*>(memmap.data()), memmap.size() * sizeof(pvh::MemmapEntry)});
    mem.write(info_phys, si);
}

namespace {

std::vector<pvh::ModlistEntry> pvh_modules(const BootDataPlan& p) {
    std::vector<pvh::ModlistEntry> v;
    for (const auto& m : p.modules) v.push_back({m.phys, m.data.size(), m.cmdline_phys, 0});
    return v;
}

}  // namespace

ElfImage pvh_load_view(const ElfImage& e, uint64_t pvh_entry) {
    ElfImage v;
    v.segments = e.segments;
    v.elf32 = e.elf32;
    v.entry = e.entry;
    for (const auto& s : e.segments)
        if (pvh_entry >= s.paddr && pvh_entry - s.paddr < s.memsz) {
            v.entry = s.vaddr + (pvh_entry - s.paddr);
            break;
        }
    return v;
}

void setup_foreign(kvm::Vcpu& vcpu, GuestMemory& mem, const KernelImage& image, const BootOptions& opts,
                   BootState& state) {
    const bool mb = opts.protocol == Protocol::Multiboot;
    uint64_t entry = 0;
    // Check what can be checked before loading: a refused image changes nothing.
    if (mem.size() > kForeignRamMax) plan_boot_data(mem.size(), 0, opts.cmdline, {});
    if (mb) {
        auto hdr = find_multiboot_header(image.file);
        if (auto why = multiboot_flags_unsupported(hdr->header.flags)) throw BadImage(image.name + ": " + *why);
        if (hdr->aout_kludge()) {
            state.kernel = load_aout(image, mem);
            entry = state.kernel.entry;
        } else {
            state.kernel = load_elf(image.elf, image.file, mem, {kBootData});
            entry = physical_entry(image.elf);
        }
    } else {
        entry = *pvh_entry_note(image.elf.notes);
        state.kernel = load_elf(pvh_load_view(image.elf, entry), image.file, mem, {kBootData});
        if (entry < state.kernel.phys_start || entry >= state.kernel.phys_end)
            throw BadImage(image.name + ": the PVH entry " + hex(entry) + " is outside the loaded image");
    }
    if (entry >= (1ull << 32)) throw BadImage(image.name + ": the 32-bit entry " + hex(entry) + " lies above 4 GiB");

    BootDataPlan p = plan_boot_data(mem.size(), state.kernel.phys_end, opts.cmdline, opts.modules);
    write_string(mem, p.cmdline_phys, opts.cmdline);
    for (const auto& m : p.modules) {
        mem.write_bytes(m.phys, m.data);
        write_string(mem, m.cmdline_phys, m.name);
        state.modules.emplace_back(m.phys, m.data.size());
    }
    if (mb) write_multiboot(mem, p);
    else write_pvh_start_info(mem, kInfoPhys, p.cmdline_phys, p.memmap, pvh_modules(p));
    state.memmap = p.memmap;
    state.entry_rip = entry;
    state.pvh_entry = mb ? 0 : entry;
    state.start_info_phys = kInfoPhys;
    enter_protected_mode_32(vcpu, mem, state, uint32_t(entry), mb ? multiboot::kBootloaderMagic : 0, uint32_t(kInfoPhys));
}

std::string foreign_setup_table(const BootState& state, const std::string& host_kind) {
    auto line = [](const char* k, const std::string& v) {
        char b[32];
        std::snprintf(b, sizeof b, "  %-15s ", k);
        return b + v + "\n";
    };
    const bool mb = state.protocol == Protocol::Multiboot, lx = state.protocol == Protocol::Linux;
    std::string t = lx ? std::string("lstar boot set-up (Linux boot protocol: 64-bit mode, identity map of 4 GiB; the kernel "
                                     "decompresses itself)\n")
                       : std::string("lstar boot set-up (") + (mb ? "multiboot v1" : "PVH") +
                             ": 32-bit protected mode, paging off, flat CS/DS; the kernel does the rest)\n";
    t += line("host KVM", host_kind);
    t += line("image", state.image_kind);
    t += line("kernel", "phys [" + hex(state.kernel.phys_start) + ", " + hex(state.kernel.phys_end) + "), entry " + hex(state.entry_rip));
    t += line("registers", lx ? "RSI = boot_params at " + hex(state.start_info_phys) : mb ? "EAX = 0x2badb002, EBX = multiboot_info at " + hex(state.start_info_phys)
                              : "EBX = hvm_start_info at " + hex(state.start_info_phys));
    t += line("cmdline", "\"" + state.cmdline + "\" at " + hex(lx ? linuxboot::kCmdlinePhys : kCmdlinePhys));
    for (size_t i = 0; i < state.modules.size(); ++i)
        t += line(i ? "" : "modules", "[" + hex(state.modules[i].first) + ", " + hex(state.modules[i].first + state.modules[i].second) + ")");
    for (size_t i = 0; i < state.memmap.size(); ++i) {
        const auto& e = state.memmap[i];
        t += line(i ? "" : "memory map", "[" + hex(e.addr) + ", " + hex(e.addr + e.size) + ") " +
                                             (e.type == pvh::kMemmapRam ? "RAM" : "reserved"));
    }
    t += line("CR0", hex(state.cr0) + (lx ? " (PE, PG), CR3 " + hex(state.cr3) : std::string(" (PE, no PG)")) + ", EFER " +
                         hex(state.efer));
    return t;
}

}  // namespace lstar
