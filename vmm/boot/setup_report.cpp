#include "boot/setup_report.hpp"
#include "boot/foreign_boot.hpp"

#include <cstdio>

#include "common/json.hpp"
#include "cpu/decode.hpp"
#include "x86/msr.hpp"
#include "x86/selectors.hpp"

namespace lstar {

namespace {

// Linux's names for the GDT entries.
const char* gdt_entry_name(unsigned i) {
    switch (i) {
    case x86::kGdtKernel32Cs: return "__KERNEL32_CS";
    case x86::kGdtKernelCs: return "__KERNEL_CS";
    case x86::kGdtKernelDs: return "__KERNEL_DS";
    case x86::kGdtUser32Cs: return "__USER32_CS";
    case x86::kGdtUserDs: return "__USER_DS";
    case x86::kGdtUserCs: return "__USER_CS";
    case x86::kGdtTss: return "TSS";
    case x86::kGdtCpunode: return "__CPUNODE_SEG";
    default: return "";
    }
}

// BootInfo's wall clock, for the start-up table.
std::string wall_clock_text(const BootClock& c) {
    char b[200];
    std::snprintf(b, sizeof b, "%llu.%09llu s since the epoch at guest TSC %llu (+-%llu ns), TSC %llu kHz (%s)",
                  (unsigned long long)(c.wallclock_ns / 1000000000), (unsigned long long)(c.wallclock_ns % 1000000000),
                  (unsigned long long)c.tsc, (unsigned long long)c.uncertainty_ns, (unsigned long long)c.tsc_khz,
                  c.khz_source.c_str());
    return b;
}

std::string with_symbol(uint64_t addr, const SymbolTable& syms) {
    std::string s = hex(addr);
    if (auto d = syms.describe(addr); !d.empty()) s += " <" + d + ">";
    return s;
}

std::string line(const char* label, const std::string& value) {
    char b[32];
    std::snprintf(b, sizeof b, "  %-16s", label);
    return b + value + "\n";
}

template <class F>
void for_each_gdt_entry(const BootState& state, F&& f) {
    for (unsigned i = 1; i < state.gdt.size(); ++i) {
        if (state.gdt[i] == 0) continue;
        if (i == x86::kGdtTss) {
            f(i, x86::describe_system_descriptor({state.gdt[i], state.gdt[i + 1]}));
            ++i;  // the TSS descriptor's upper half
        } else {
            f(i, x86::describe_descriptor(state.gdt[i]));
        }
    }
}

std::string initrd_line(const BootState& state) {
    return line("initrd", "phys [" + hex(state.initrd_phys) + ", " + hex(state.initrd_phys + state.initrd_size) +
                              "), " + std::to_string(state.initrd_size) + " bytes of cpio newc (BootInfo.initrd_phys/size)");
}

}  // namespace

std::string setup_table(const BootState& state, const SymbolTable& syms, const std::string& host_kind) {
    if (state.foreign) return foreign_setup_table(state, host_kind);
    bool pvh = state.protocol == Protocol::LstarPvh;
    std::string t = pvh ? "lstar boot set-up (PVH: the monitor starts the kernel in 32-bit protected mode, paging off;\n"
                          "the kernel builds its own GDT, page tables and long mode and writes the syscall MSRs itself)\n"
                        : "lstar boot set-up (built by the monitor before the first guest instruction)\n";
    t += line("host KVM", host_kind);
    t += line("entry mode", std::string(abi::name_of(abi::kEntryModes, state.entry_mode)) +
                                (state.entry_mode == abi::EntryMode::Direct ? " (LSTAR = entry_SYSCALL_64)"
                                                                         : " (LSTAR = entry_SYSCALL_64_trampoline, CR3 switched on entry and exit)"));
    if (pvh) {
        t += line("PVH entry", hex(state.pvh_entry) + " (physical, 32-bit), EBX = hvm_start_info at " +
                                   hex(state.start_info_phys));
        t += line("MSRs", "at reset values (STAR " + hex(state.star) + ", LSTAR " + hex(state.lstar) +
                              ", EFER " + hex(state.efer) + "): the guest's wrmsr are trapped and shown as they happen");
        t += line("cmdline", "\"" + state.cmdline + "\"");
        t += line("wall clock", wall_clock_text(state.clock));
        if (state.initrd_size) t += initrd_line(state);
        return t;
    }
    t += line("entry", with_symbol(state.entry_rip, syms) + ", kernel at phys [" + hex(state.kernel.phys_start) + ", " +
                           hex(state.kernel.phys_end) + ")");
    t += line("GDT", hex(state.gdt_base) + " (GDTR.limit " + hex(sizeof(Gdt) - 1) + ")");
    for_each_gdt_entry(state, [&](unsigned i, const std::string& d) {
        char b[64];
        std::snprintf(b, sizeof b, "    %#06x %-14s ", unsigned(i << 3), gdt_entry_name(i));
        t += b + d + "\n";
    });
    t += line("TSS", with_symbol(state.tss_base, syms) + "  RSP0=" + with_symbol(state.tss.rsp[0], syms) +
                         "  IST1=" + with_symbol(state.tss.ist[0], syms));
    t += line("EFER", hex(state.efer) + "  " + x86::describe_efer(state.efer));
    t += line("STAR", hex(state.star) + "  " + x86::describe_star(state.star));
    t += line("LSTAR", with_symbol(state.lstar, syms));
    t += line("FMASK", hex(state.fmask) + "  cleared on SYSCALL: " + x86::describe_rflags(state.fmask));
    t += line("KERNEL_GS_BASE", with_symbol(state.kernel_gs_base, syms) + "  (GS base after swapgs)");
    t += line("CR0", hex(state.cr0) + "  " + x86::describe_cr0(state.cr0));
    t += line("CR4", hex(state.cr4) + "  " + x86::describe_cr4(state.cr4));
    t += line("CR3", hex(state.cr3) + "  (boot PML4, " + std::to_string(state.page_tables.pages_used) +
                         " table pages: kernel map + direct map, supervisor-only)");
    t += line("boot info", "phys " + hex(state.boot_info_phys) + " in RDI, cmdline \"" + state.cmdline + "\"" +
                               ((state.flags & 1) ? ", guest events on" : ", guest events off"));
    t += line("wall clock", wall_clock_text(state.clock));
    if (state.initrd_size) t += initrd_line(state);
    return t;
}

std::string setup_json(const BootState& state, const SymbolTable& syms, const std::string& host_kind, unsigned schema) {
    std::string gdt = "[";
    for_each_gdt_entry(state, [&](unsigned i, const std::string& d) {
        if (gdt.size() > 1) gdt += ',';
        gdt += JsonObject().hex("selector", i << 3).str("name", gdt_entry_name(i)).hex("raw", state.gdt[i])
                   .str("decoded", d).done();
    });
    gdt += "]";
    // Foreign boots: what the kernel was handed (docs/foreign-kernels.md).
    std::string memmap = "[", modules = "[";
    for (const auto& e : state.memmap)
        memmap += std::string(memmap.size() > 1 ? "," : "") +
                  JsonObject().hex("addr", e.addr).hex("size", e.size).num("type", e.type).done();
    for (const auto& [phys, size] : state.modules)
        modules += std::string(modules.size() > 1 ? "," : "") + JsonObject().hex("phys", phys).num("size", size).done();
    memmap += "]", modules += "]";
    return JsonObject()
        .str("type", "setup")
        .num("schema", schema)
        .str("protocol", protocol_name(state.protocol))
        .str("image_kind", state.image_kind)
        .str("entry_mode", abi::name_of(abi::kEntryModes, state.entry_mode))
        .hex("pvh_entry", state.pvh_entry)
        .str("host_kvm", host_kind)
        .hex("entry", state.entry_rip)
        .str("entry_sym", syms.describe(state.entry_rip))
        .hex("gdt_base", state.gdt_base)
        .raw("gdt", gdt)
        .hex("tss", state.tss_base)
        .hex("tss_rsp0", state.tss.rsp[0])
        .hex("efer", state.efer)
        .str("efer_decoded", x86::describe_efer(state.efer))
        .hex("star", state.star)
        .str("star_decoded", x86::describe_star(state.star))
        .hex("syscall_cs", x86::star_syscall_cs(state.star))
        .hex("syscall_ss", x86::star_syscall_ss(state.star))
        .hex("sysret_cs", x86::star_sysret_cs64(state.star))
        .hex("sysret_ss", x86::star_sysret_ss(state.star))
        .hex("lstar", state.lstar)
        .str("lstar_sym", syms.describe(state.lstar))
        .hex("fmask", state.fmask)
        .str("fmask_decoded", x86::describe_rflags(state.fmask))
        .hex("kernel_gs_base", state.kernel_gs_base)
        .str("kernel_gs_base_sym", syms.describe(state.kernel_gs_base))
        .hex("cr0", state.cr0)
        .hex("cr3", state.cr3)
        .hex("cr4", state.cr4)
        .str("cmdline", state.cmdline)
        .hex("initrd_phys", state.initrd_phys)
        .num("initrd_size", state.initrd_size)
        .num("guest_events", bool(state.flags & 1))
        .hex("boot_data", state.foreign ? state.start_info_phys : 0)
        .raw("memmap", memmap)
        .raw("modules", modules)
        .num("boot_wallclock_ns", state.clock.wallclock_ns)
        .num("boot_tsc", state.clock.tsc)
        .num("tsc_khz", state.clock.tsc_khz)
        .str("tsc_khz_source", state.clock.khz_source)
        .num("wallclock_uncertainty_ns", state.clock.uncertainty_ns)
        .done();
}

}  // namespace lstar
