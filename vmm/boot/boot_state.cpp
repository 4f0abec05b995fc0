#include "boot/boot_state.hpp"

#include <cstring>

#include "boot/initrd.hpp"
#include "boot_protocol.hpp"
#include "boot/foreign_boot.hpp"
#include "kvm/system.hpp"
#include "pvh.hpp"
#include "x86/msr.hpp"
#include "x86/selectors.hpp"

namespace lstar {

const char* entry_mode_name(abi::EntryMode m) {
    switch (m) {
    case abi::EntryMode::Direct: return "direct";
    case abi::EntryMode::Pti: return "pti";
    case abi::EntryMode::PtiPcid: return "pti-pcid";
    }
    return "?";
}

std::string entry_mode_unsupported(abi::EntryMode m, const std::vector<kvm_cpuid_entry2>& cpuid) {
    if (m != abi::EntryMode::PtiPcid) return "";
    constexpr uint32_t kPcid = 1u << 17;  // CPUID.01H:ECX.PCID[bit 17]
    for (const auto& e : cpuid)
        if (e.function == 1 && (e.ecx & kPcid)) return "";
    return "--entry pti-pcid needs PCID, and this host's KVM does not offer it "
           "(CPUID.01H:ECX.PCID[bit 17] is 0 in KVM_GET_SUPPORTED_CPUID)";
}

namespace {

// Guest-physical places of the PVH boot data (all in the low, reserved MiB).
constexpr uint64_t kStartInfoPhys = 0x3000;
constexpr uint64_t kMemmapPhys = 0x3100;
constexpr uint64_t kModlistPhys = 0x3200;
constexpr uint64_t kPvhCmdlinePhys = 0x4000;

kvm_segment flat_segment(uint16_t sel, bool code, bool long_mode) {
    kvm_segment s{};
    s.selector = sel;
    s.limit = 0xffffffff;
    s.type = code ? 0xb : 0x3;  // execute/read or read/write, accessed
    s.present = 1;
    s.dpl = sel & 3;
    s.s = 1;
    s.l = code && long_mode;
    s.db = !(code && long_mode);
    s.g = 1;
    return s;
}

// The system registers both boot paths set alike: TR, no LDT, GDTR at the boot GDT, and an empty
// IDTR (the kernel loads its own IDT).
void set_system_tables(kvm_sregs& s, uint64_t gdt_base, uint64_t tss_base, uint16_t tss_sel, uint8_t tss_type) {
    s.tr = {};
    s.tr.base = tss_base;
    s.tr.limit = sizeof(x86::Tss64) - 1;
    s.tr.selector = tss_sel;
    s.tr.type = tss_type;
    s.tr.present = 1;
    s.ldt = {};
    s.ldt.type = 0x2;
    s.ldt.unusable = 1;
    s.gdt.base = gdt_base;
    s.gdt.limit = uint16_t(sizeof(Gdt) - 1);
    s.idt = {};
}

boot::BootInfo make_boot_info(GuestMemory& mem, const LoadedKernel& k, uint64_t pml4, uint64_t gdt,
                              uint64_t flags, const std::string& cmdline, const BootOptions& opts, BootState& st) {
    boot::BootInfo bi{};
    bi.magic = boot::kBootInfoMagic;
    bi.version = boot::kBootInfoVersion;
    bi.flags = flags;
    bi.ram_bytes = mem.size();
    bi.kernel_phys_start = k.phys_start;
    bi.kernel_phys_end = k.phys_end;
    // Free RAM starts on the page after the kernel image; the mapping is fresh, hence zero.
    bi.free_phys_start = (k.phys_end + 0xfff) & ~0xfffull;
    bi.free_phys_end = mem.size();
    // The initrd goes at the top of RAM, out of the free range; it is copied once, here, so that
    // the kernel can map its pages into processes instead of copying them (docs/processes.md).
    if (opts.initrd && !opts.initrd->empty()) {
        st.initrd_phys = place_initrd(mem.size(), bi.free_phys_start, opts.initrd->size());
        st.initrd_size = opts.initrd->size();
        mem.write_bytes(st.initrd_phys, *opts.initrd);
        bi.initrd_phys = st.initrd_phys;
        bi.initrd_size = st.initrd_size;
        bi.free_phys_end = st.initrd_phys;
    }
    bi.random_seed = opts.random_seed;
    bi.boot_pml4_phys = pml4;
    bi.gdt_phys = gdt;
    std::memcpy(bi.cmdline, cmdline.data(), cmdline.size());
    return bi;
}

std::string full_cmdline(const BootOptions& opts, bool pvh) {
    // The monitor's keys go before a " -- ": what follows it is the program's argv.
    std::string ours = std::string("lstar.entry=") + entry_mode_name(opts.entry);
    if (pvh) ours += " lstar.bootinfo=" + std::to_string(boot::kBootInfoPhys);
    std::string c;
    std::string line = opts.cmdline.ends_with(" --") ? opts.cmdline + " " : opts.cmdline;
    if (line.starts_with("-- ")) c = ours + " " + line;
    else if (auto dashes = line.find(" -- "); dashes != std::string::npos)
        c = line.substr(0, dashes) + " " + ours + line.substr(dashes);
    else c = line + (line.empty() ? "" : " ") + ours;
    if (c.size() >= boot::kCmdlineMax)
        throw std::invalid_argument("kernel command line is " + std::to_string(c.size()) +
                                    " bytes; the boot protocol allows " + std::to_string(boot::kCmdlineMax - 1));
    return c;
}

// lstar's 64-bit protocol (docs/boot-protocol.md): long mode, paging and the syscall MSRs are set
// up here, before the first guest instruction.
void setup_lstar64(kvm::Vcpu& vcpu, GuestMemory& mem, const KernelImage& image, const BootOptions& opts,
                   BootState& st) {
    if (!image.lstar_protocol())
        throw ElfError(image.name + ": not an lstar-protocol kernel (no \"lstar\" ELF note); "
                       "PVH and multiboot images are not supported yet");
    // Resolve every symbol before touching guest memory, so a bad image changes nothing.
    const char* lstar_sym = opts.entry == abi::EntryMode::Direct ? "entry_SYSCALL_64" : "entry_SYSCALL_64_trampoline";
    st.lstar = image.required_symbol(lstar_sym);
    st.kernel_gs_base = image.required_symbol("percpu_area");
    st.tss_base = image.required_symbol("cpu_tss");

    st.kernel = load_elf(image.elf, image.file, mem, boot::kLowReservedEnd);
    st.entry = st.kernel.entry;
    if (!mem.contains(st.tss_base - boot::kStartKernelMap, sizeof(x86::Tss64)))
        throw ElfError(image.name + ": cpu_tss is not inside the loaded kernel image");
    st.tss = mem.read<x86::Tss64>(st.tss_base - boot::kStartKernelMap);

    st.page_tables = build_boot_page_tables(mem, mem.size());
    st.gdt = build_boot_gdt(st.tss_base);
    mem.write(boot::kGdtPhys, st.gdt);
    st.gdt_base = boot::kPageOffset + boot::kGdtPhys;

    st.flags = boot::kFlagMsrsByMonitor | (opts.guest_events ? boot::kFlagGuestEvents : 0);
    mem.write(boot::kBootInfoPhys, make_boot_info(mem, st.kernel, st.page_tables.pml4_phys, boot::kGdtPhys, st.flags,
                                                  st.cmdline, opts, st));

    kvm_sregs s = vcpu.get_sregs();
    s.cs = flat_segment(x86::kKernelCs, true, true);
    s.ds = s.es = s.ss = flat_segment(x86::kKernelDs, false, true);
    s.fs = s.gs = flat_segment(0, false, true);
    s.fs.present = s.gs.present = 0;
    s.fs.unusable = s.gs.unusable = 1;
    set_system_tables(s, st.gdt_base, st.tss_base, x86::kTssSel, x86::kSysTypeTss64Busy);
    s.cr0 = x86::kCr0Pe | x86::kCr0Mp | x86::kCr0Et | x86::kCr0Ne | x86::kCr0Wp | x86::kCr0Pg;
    s.cr4 = x86::kCr4Pae | x86::kCr4Pge | x86::kCr4Osfxsr | x86::kCr4Osxmmexcpt;
    s.cr3 = st.page_tables.pml4_phys;
    s.efer = x86::kEferLme | x86::kEferLma | x86::kEferSce | x86::kEferNxe;
    vcpu.set_sregs(s);

    kvm_regs r{};
    r.rip = st.entry;
    r.rflags = x86::kRflagsFixed;
    r.rdi = boot::kBootInfoPhys;
    r.rsi = boot::kBootMagic;
    vcpu.set_regs(r);
    st.entry_cpu.regs = r;

    // The syscall MSRs as Linux's syscall_init() writes them; EFER.SCE went in with the sregs.
    const std::vector<uint32_t> idx = {x86::kMsrStar, x86::kMsrLstar, x86::kMsrSyscallMask, x86::kMsrKernelGsBase};
    const std::vector<uint64_t> want = {x86::kStar, st.lstar, x86::kSyscallMask, st.kernel_gs_base};
    std::vector<std::pair<uint32_t, uint64_t>> msrs;
    for (size_t i = 0; i < idx.size(); ++i) msrs.emplace_back(idx[i], want[i]);
    vcpu.set_msrs(msrs);
}

// PVH (docs/boot-protocol.md, shared/pvh.hpp): 32-bit protected mode with paging off at the
// XEN_ELFNOTE_PHYS32_ENTRY address, EBX = hvm_start_info. The kernel builds its own GDT, page
// tables and long mode and writes the syscall MSRs itself; the monitor leaves them at reset.
void setup_pvh(kvm::Vcpu& vcpu, GuestMemory& mem, const KernelImage& image, const BootOptions& opts, BootState& st) {
    auto entry = pvh_entry_note(image.elf.notes);
    if (!entry)
        throw ElfError(image.name + ": --msr-setup guest boots through PVH, and this image has no "
                       "XEN_ELFNOTE_PHYS32_ENTRY note");
    st.kernel = load_elf(image.elf, image.file, mem, boot::kLowReservedEnd);
    if (*entry < st.kernel.phys_start || *entry >= st.kernel.phys_end)
        throw ElfError(image.name + ": the PVH entry " + std::to_string(*entry) + " is outside the loaded image");
    st.pvh_entry = st.entry = *entry;
    st.flags = opts.guest_events ? boot::kFlagGuestEvents : 0;
    mem.write(boot::kBootInfoPhys, make_boot_info(mem, st.kernel, 0, 0, st.flags, st.cmdline, opts, st));

    // hvm_start_info with the command line and a memory map: the first MiB reserved (lstar's boot
    // data lives there), the rest RAM.
    mem.write_bytes(kPvhCmdlinePhys, {reinterpret_cast<const uint8_t*>(st.cmdline.c_str()), st.cmdline.size() + 1});
    pvh::MemmapEntry map[2] = {{0, boot::kLowReservedEnd, pvh::kMemmapReserved, 0},
                               {boot::kLowReservedEnd, mem.size() - boot::kLowReservedEnd, pvh::kMemmapRam, 0}};
    mem.write(kMemmapPhys, map);
    pvh::StartInfo si{};
    si.magic = pvh::kStartMagic;
    si.version = 1;
    si.cmdline_paddr = kPvhCmdlinePhys;
    si.memmap_paddr = kMemmapPhys;
    si.memmap_entries = 2;
    if (st.initrd_size) {  // as a PVH loader passes an initrd: the first module
        mem.write(kModlistPhys, pvh::ModlistEntry{st.initrd_phys, st.initrd_size, 0, 0});
        si.modlist_paddr = kModlistPhys;
        si.nr_modules = 1;
    }
    mem.write(kStartInfoPhys, si);
    st.start_info_phys = kStartInfoPhys;

    enter_protected_mode_32(vcpu, mem, st, uint32_t(*entry), 0, uint32_t(kStartInfoPhys));
}

}  // namespace

void enter_protected_mode_32(kvm::Vcpu& vcpu, GuestMemory& mem, BootState& st, uint32_t eip, uint32_t eax,
                             uint32_t ebx) {
    // The boot GDT is there for the flat selectors below; the kernel loads its own.
    st.gdt = build_boot_gdt(0);
    mem.write(boot::kGdtPhys, st.gdt);
    st.gdt_base = boot::kGdtPhys;  // paging is off: linear == physical

    kvm_sregs s = vcpu.get_sregs();
    s.cs = flat_segment(x86::kKernel32Cs, true, false);
    s.ds = s.es = s.ss = s.fs = s.gs = flat_segment(x86::kKernelDs, false, false);
    set_system_tables(s, st.gdt_base, 0, 0, 0xb);  // a busy TSS, as after reset: VM entry wants a usable TR
    s.cr0 = x86::kCr0Pe | x86::kCr0Et;
    s.cr3 = 0;
    s.cr4 = 0;
    s.efer = 0;
    vcpu.set_sregs(s);

    kvm_regs r{};
    r.rip = eip;
    r.rax = eax;
    r.rbx = ebx;
    r.rflags = x86::kRflagsFixed;
    vcpu.set_regs(r);
    st.entry_cpu.regs = r;
}

BootState setup_boot(kvm::Vcpu& vcpu, GuestMemory& mem, const KernelImage& image, const BootOptions& opts,
                     const std::vector<kvm_cpuid_entry2>& cpuid) {
    if (auto why = entry_mode_unsupported(opts.entry, cpuid); !why.empty()) throw kvm::KvmUnavailable(why);
    BootState st;
    st.entry_mode = opts.entry;
    st.protocol = protocol_name(opts.protocol);
    st.image_kind = describe_image(inspect_image(image.file), opts.protocol);
    vcpu.set_cpuid(cpuid);  // before EFER.LME: KVM checks long mode against the guest's CPUID
    if (opts.protocol == Protocol::Pvh || opts.protocol == Protocol::Multiboot) {
        st.foreign = true;
        st.cmdline = opts.cmdline;  // verbatim: these kernels know no lstar.* keys
        setup_foreign(vcpu, mem, image, opts, st);
        kvm_sregs back = vcpu.get_sregs();
        st.cr0 = back.cr0, st.cr3 = back.cr3, st.cr4 = back.cr4, st.efer = back.efer;
        st.entry_cpu.sregs = back;
        return st;
    }
    bool pvh = opts.protocol == Protocol::LstarPvh;
    st.cmdline = full_cmdline(opts, pvh);
    st.boot_info_phys = boot::kBootInfoPhys;
    if (pvh) setup_pvh(vcpu, mem, image, opts, st);
    else setup_lstar64(vcpu, mem, image, opts, st);
    // Last, so that the guest TSC sample is as close as possible to the first instruction.
    st.clock = read_boot_clock(vcpu);
    write_boot_clock(mem, st.clock);

    // Read back what KVM holds: the table and the log show these, not what we meant to write.
    const std::vector<uint32_t> idx = {x86::kMsrStar, x86::kMsrLstar, x86::kMsrSyscallMask, x86::kMsrKernelGsBase};
    auto got = vcpu.get_msrs(idx);
    if (!pvh) {
        const std::vector<uint64_t> want = {x86::kStar, st.lstar, x86::kSyscallMask, st.kernel_gs_base};
        for (size_t i = 0; i < idx.size(); ++i)
            if (got[i] != want[i])
                throw std::runtime_error("MSR read-back mismatch: wrote " + std::to_string(want[i]) + " to MSR " +
                                         std::to_string(idx[i]) + ", KVM_GET_MSRS says " + std::to_string(got[i]));
    }
    st.star = got[0];
    st.lstar = got[1];
    st.fmask = got[2];
    st.kernel_gs_base = got[3];
    kvm_sregs back = vcpu.get_sregs();
    st.cr0 = back.cr0;
    st.cr3 = back.cr3;
    st.cr4 = back.cr4;
    st.efer = back.efer;
    st.entry_cpu.sregs = back;
    return st;
}

}  // namespace lstar
