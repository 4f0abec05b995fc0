#include "boot/setup_report.hpp"
#include "boot/foreign_boot.hpp"

#include <cstdio>

#include "run/json.hpp"
#include "x86/decode.hpp"
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
    std::string s = hex_string(addr);
    if (auto d = syms.describe(addr); !d.empty()) s += " <" + d + ">";
    return s;
}

std::string line(const char* label, const std::string& value) {
    char b[32];
    std::snprintf(b, sizeof b, "  %-16s", label);
    return b + value + "\n";
}

template <class F>
void for_each_gdt_entry(const BootState& st, F&& f) {
    for (unsigned i = 1; i < st.gdt.size(); ++i) {
        if (st.gdt[i] == 0) continue;
        if (i == x86::kGdtTss) {
            f(i, x86::describe_system_descriptor({st.gdt[i], st.gdt[i + 1]}));
            ++i;  // the TSS descriptor's upper half
        } else {
            f(i, x86::describe_descriptor(st.gdt[i]));
        }
    }
}

std::string initrd_line(const BootState& st) {
    return line("initrd", "phys [" + hex_string(st.initrd_phys) + ", " + hex_string(st.initrd_phys + st.initrd_size) +
                              "), " + std::to_string(st.initrd_size) + " bytes of cpio newc (BootInfo.initrd_phys/size)");
}

}  // namespace

std::string setup_table(const BootState& st, const SymbolTable& syms, const std::string& host_kind) {
    if (st.foreign) return foreign_setup_table(st, host_kind);
    bool pvh = st.protocol == "pvh";
    std::string t = pvh ? "lstar boot set-up (PVH: the monitor starts the kernel in 32-bit protected mode, paging off;\n"
                          "the kernel builds its own GDT, page tables and long mode and writes the syscall MSRs itself)\n"
                        : "lstar boot set-up (built by the monitor before the first guest instruction)\n";
    t += line("host KVM", host_kind);
    t += line("entry mode", std::string(entry_mode_name(st.entry_mode)) +
                                (st.entry_mode == abi::EntryMode::Direct ? " (LSTAR = entry_SYSCALL_64)"
                                                                         : " (LSTAR = entry_SYSCALL_64_trampoline, CR3 switched on entry and exit)"));
    if (pvh) {
        t += line("PVH entry", hex_string(st.pvh_entry) + " (physical, 32-bit), EBX = hvm_start_info at " +
                                   hex_string(st.start_info_phys));
        t += line("MSRs", "at reset values (STAR " + hex_string(st.star) + ", LSTAR " + hex_string(st.lstar) +
                              ", EFER " + hex_string(st.efer) + "): the guest's wrmsr are trapped and shown as they happen");
        t += line("cmdline", "\"" + st.cmdline + "\"");
        t += line("wall clock", wall_clock_text(st.clock));
        if (st.initrd_size) t += initrd_line(st);
        return t;
    }
    t += line("entry", with_symbol(st.entry, syms) + ", kernel at phys [" + hex_string(st.kernel.phys_start) + ", " +
                           hex_string(st.kernel.phys_end) + ")");
    t += line("GDT", hex_string(st.gdt_base) + " (GDTR.limit " + hex_string(sizeof(Gdt) - 1) + ")");
    for_each_gdt_entry(st, [&](unsigned i, const std::string& d) {
        char b[64];
        std::snprintf(b, sizeof b, "    %#06x %-14s ", unsigned(i << 3), gdt_entry_name(i));
        t += b + d + "\n";
    });
    t += line("TSS", with_symbol(st.tss_base, syms) + "  RSP0=" + with_symbol(st.tss.rsp[0], syms) +
                         "  IST1=" + with_symbol(st.tss.ist[0], syms));
    t += line("EFER", hex_string(st.efer) + "  " + x86::describe_efer(st.efer));
    t += line("STAR", hex_string(st.star) + "  " + x86::describe_star(st.star));
    t += line("LSTAR", with_symbol(st.lstar, syms));
    t += line("FMASK", hex_string(st.fmask) + "  cleared on SYSCALL: " + x86::describe_rflags(st.fmask));
    t += line("KERNEL_GS_BASE", with_symbol(st.kernel_gs_base, syms) + "  (GS base after swapgs)");
    t += line("CR0", hex_string(st.cr0) + "  " + x86::describe_cr0(st.cr0));
    t += line("CR4", hex_string(st.cr4) + "  " + x86::describe_cr4(st.cr4));
    t += line("CR3", hex_string(st.cr3) + "  (boot PML4, " + std::to_string(st.page_tables.pages_used) +
                         " table pages: kernel map + direct map, supervisor-only)");
    t += line("boot info", "phys " + hex_string(st.boot_info_phys) + " in RDI, cmdline \"" + st.cmdline + "\"" +
                               ((st.flags & 1) ? ", guest events on" : ", guest events off"));
    t += line("wall clock", wall_clock_text(st.clock));
    if (st.initrd_size) t += initrd_line(st);
    return t;
}

std::string setup_json(const BootState& st, const SymbolTable& syms, const std::string& host_kind, unsigned schema) {
    std::string gdt = "[";
    for_each_gdt_entry(st, [&](unsigned i, const std::string& d) {
        if (gdt.size() > 1) gdt += ',';
        gdt += JsonObject().hex("selector", i << 3).str("name", gdt_entry_name(i)).hex("raw", st.gdt[i])
                   .str("decoded", d).done();
    });
    gdt += "]";
    // Foreign boots: what the kernel was handed (docs/foreign-kernels.md).
    std::string memmap = "[", modules = "[";
    for (const auto& e : st.memmap)
        memmap += std::string(memmap.size() > 1 ? "," : "") +
                  JsonObject().hex("addr", e.addr).hex("size", e.size).num("type", e.type).done();
    for (const auto& [phys, size] : st.modules)
        modules += std::string(modules.size() > 1 ? "," : "") + JsonObject().hex("phys", phys).num("size", size).done();
    memmap += "]", modules += "]";
    return JsonObject()
        .str("type", "setup")
        .num("schema", schema)
        .str("protocol", st.protocol)
        .str("image_kind", st.image_kind)
        .str("entry_mode", entry_mode_name(st.entry_mode))
        .hex("pvh_entry", st.pvh_entry)
        .str("host_kvm", host_kind)
        .hex("entry", st.entry)
        .str("entry_sym", syms.describe(st.entry))
        .hex("gdt_base", st.gdt_base)
        .raw("gdt", gdt)
        .hex("tss", st.tss_base)
        .hex("tss_rsp0", st.tss.rsp[0])
        .hex("efer", st.efer)
        .str("efer_decoded", x86::describe_efer(st.efer))
        .hex("star", st.star)
        .str("star_decoded", x86::describe_star(st.star))
        .hex("syscall_cs", x86::star_syscall_cs(st.star))
        .hex("syscall_ss", x86::star_syscall_ss(st.star))
        .hex("sysret_cs", x86::star_sysret_cs64(st.star))
        .hex("sysret_ss", x86::star_sysret_ss(st.star))
        .hex("lstar", st.lstar)
        .str("lstar_sym", syms.describe(st.lstar))
        .hex("fmask", st.fmask)
        .str("fmask_decoded", x86::describe_rflags(st.fmask))
        .hex("kernel_gs_base", st.kernel_gs_base)
        .str("kernel_gs_base_sym", syms.describe(st.kernel_gs_base))
        .hex("cr0", st.cr0)
        .hex("cr3", st.cr3)
        .hex("cr4", st.cr4)
        .str("cmdline", st.cmdline)
        .hex("initrd_phys", st.initrd_phys)
        .num("initrd_size", st.initrd_size)
        .num("guest_events", bool(st.flags & 1))
        .hex("boot_data", st.foreign ? st.start_info_phys : 0)
        .raw("memmap", memmap)
        .raw("modules", modules)
        .num("boot_wallclock_ns", st.clock.wallclock_ns)
        .num("boot_tsc", st.clock.tsc)
        .num("tsc_khz", st.clock.tsc_khz)
        .str("tsc_khz_source", st.clock.khz_source)
        .num("wallclock_uncertainty_ns", st.clock.uncertainty_ns)
        .done();
}

}  // namespace lstar
