#include "boot/boot_state.hpp"

#include <cstring>

#include "boot/initrd.hpp"
#include "boot/kernel_cmdline.hpp"
#include "boot_protocol.hpp"
#include "boot/foreign_boot.hpp"
#include "boot/linux_boot.hpp"
#include "kvm/system.hpp"
#include "pvh.hpp"
#include "x86/msr.hpp"
#include "x86/selectors.hpp"

namespace lstar {

std::optional<std::string> entry_mode_unsupported(abi::EntryMode m, const std::vector<kvm_cpuid_entry2>& cpuid) {
    if (m != abi::EntryMode::PtiPcid) return std::nullopt;
    constexpr uint32_t kPcid = 1u << 17;  // CPUID.01H:ECX.PCID[bit 17]
    for (const auto& e : cpuid)
        if (e.function == 1 && (e.ecx & kPcid)) return std::nullopt;
    return "--entry pti-pcid needs PCID, and this host's KVM does not offer it "
           "(CPUID.01H:ECX.PCID[bit 17] is 0 in KVM_GET_SUPPORTED_CPUID)";
}

namespace {

// Guest-physical places of the PVH boot data (all in the low, reserved MiB).
constexpr uint64_t kStartInfoPhys = 0x3000;  // memory map and module list follow (write_pvh_start_info)
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
                              uint64_t flags, const std::string& cmdline, const BootOptions& opts, BootState& state) {
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
        state.initrd_phys = place_initrd(mem.size(), bi.free_phys_start, opts.initrd->size());
        state.initrd_size = opts.initrd->size();
        mem.write_bytes(state.initrd_phys, *opts.initrd);
        bi.initrd_phys = state.initrd_phys;
        bi.initrd_size = state.initrd_size;
        bi.free_phys_end = state.initrd_phys;
    }
    bi.random_seed = opts.random_seed;
    if (opts.program) {  // below 1 MiB, beside the boot page tables: never in the free range
        mem.write_bytes(boot::kArgsPhys, encode_args_block(*opts.program));
        bi.args_phys = boot::kArgsPhys;
    }
    bi.boot_pml4_phys = pml4;
    bi.gdt_phys = gdt;
    std::memcpy(bi.cmdline, cmdline.data(), cmdline.size());
    return bi;
}

// lstar's 64-bit protocol (docs/boot-protocol.md): long mode, paging and the syscall MSRs are set
// up here, before the first guest instruction.
void setup_lstar64(kvm::Vcpu& vcpu, GuestMemory& mem, const KernelImage& image, const BootOptions& opts,
                   BootState& state) {
    if (!image.lstar_protocol())
        throw BadImage(image.name + ": not an lstar-protocol kernel (no \"lstar\" ELF note); "
                       "PVH and multiboot images boot with --boot pvh or --boot multiboot");
    // Resolve every symbol before touching guest memory, so a bad image changes nothing.
    const char* lstar_sym = opts.entry_mode == abi::EntryMode::Direct ? "entry_SYSCALL_64" : "entry_SYSCALL_64_trampoline";
    state.lstar = image.required_symbol(lstar_sym);
    state.kernel_gs_base = image.required_symbol("percpu_area");
    state.tss_base = image.required_symbol("cpu_tss");

    state.kernel = load_elf(image.elf, image.file, mem, boot::kLowReservedEnd);
    state.entry_rip = state.kernel.entry;
    if (!mem.contains(state.tss_base - boot::kStartKernelMap, sizeof(x86::Tss64)))
        throw BadImage(image.name + ": cpu_tss is not inside the loaded kernel image");
    state.tss = mem.read<x86::Tss64>(state.tss_base - boot::kStartKernelMap);

    state.page_tables = build_boot_page_tables(mem, mem.size());
    state.gdt = build_boot_gdt(state.tss_base);
    mem.write(boot::kGdtPhys, state.gdt);
    state.gdt_base = boot::kPageOffset + boot::kGdtPhys;

    state.flags = boot::kFlagMsrsByMonitor | (opts.guest_events ? boot::kFlagGuestEvents : 0);
    mem.write(boot::kBootInfoPhys, make_boot_info(mem, state.kernel, state.page_tables.pml4_phys, boot::kGdtPhys, state.flags,
                                                  state.cmdline, opts, state));

    kvm_sregs s = vcpu.get_sregs();
    s.cs = flat_segment(x86::kKernelCs, true, true);
    s.ds = s.es = s.ss = flat_segment(x86::kKernelDs, false, true);
    s.fs = s.gs = flat_segment(0, false, true);
    s.fs.present = s.gs.present = 0;
    s.fs.unusable = s.gs.unusable = 1;
    set_system_tables(s, state.gdt_base, state.tss_base, x86::kTssSel, x86::kSysTypeTss64Busy);
    s.cr0 = x86::kCr0Pe | x86::kCr0Mp | x86::kCr0Et | x86::kCr0Ne | x86::kCr0Wp | x86::kCr0Pg;
    s.cr4 = x86::kCr4Pae | x86::kCr4Pge | x86::kCr4Osfxsr | x86::kCr4Osxmmexcpt;
    s.cr3 = state.page_tables.pml4_phys;
    s.efer = x86::kEferLme | x86::kEferLma | x86::kEferSce | x86::kEferNxe;
    vcpu.set_sregs(s);

    kvm_regs r{};
    r.rip = state.entry_rip;
    r.rflags = x86::kRflagsFixed;
    r.rdi = boot::kBootInfoPhys;
    r.rsi = boot::kBootMagic;
    vcpu.set_regs(r);
    state.entry_cpu.regs = r;

    // The syscall MSRs as Linux's syscall_init() writes them; EFER.SCE went in with the sregs.
    const std::vector<uint32_t> idx = {x86::kMsrStar, x86::kMsrLstar, x86::kMsrSyscallMask, x86::kMsrKernelGsBase};
    const std::vector<uint64_t> want = {x86::kStar, state.lstar, x86::kSyscallMask, state.kernel_gs_base};
    std::vector<std::pair<uint32_t, uint64_t>> msrs;
    for (size_t i = 0; i < idx.size(); ++i) msrs.emplace_back(idx[i], want[i]);
    vcpu.set_msrs(msrs);
}

// PVH (docs/boot-protocol.md, shared/pvh.hpp): 32-bit protected mode with paging off at the
// XEN_ELFNOTE_PHYS32_ENTRY address, EBX = hvm_start_info. The kernel builds its own GDT, page
// tables and long mode and writes the syscall MSRs itself; the monitor leaves them at reset.
void setup_pvh(kvm::Vcpu& vcpu, GuestMemory& mem, const KernelImage& image, const BootOptions& opts, BootState& state) {
    auto entry = pvh_entry_note(image.elf.notes);
    if (!entry)
        throw BadImage(image.name + ": --msr-setup guest boots through PVH, and this image has no "
                       "XEN_ELFNOTE_PHYS32_ENTRY note");
    state.kernel = load_elf(image.elf, image.file, mem, boot::kLowReservedEnd);
    if (*entry < state.kernel.phys_start || *entry >= state.kernel.phys_end)
        throw BadImage(image.name + ": the PVH entry " + std::to_string(*entry) + " is outside the loaded image");
    state.pvh_entry = state.entry_rip = *entry;
    state.flags = opts.guest_events ? boot::kFlagGuestEvents : 0;
    mem.write(boot::kBootInfoPhys, make_boot_info(mem, state.kernel, 0, 0, state.flags, state.cmdline, opts, state));

    // hvm_start_info with the command line and a memory map: the first MiB reserved (lstar's boot
    // data lives there), the rest RAM.
    mem.write_bytes(kPvhCmdlinePhys, {reinterpret_cast<const uint8_t*>(state.cmdline.c_str()), state.cmdline.size() + 1});
    const std::vector<pvh::MemmapEntry> memmap = {
        {0, boot::kLowReservedEnd, pvh::kMemmapReserved, 0},
        {boot::kLowReservedEnd, mem.size() - boot::kLowReservedEnd, pvh::kMemmapRam, 0}};
    std::vector<pvh::ModlistEntry> modules;
    if (state.initrd_size) modules.push_back({state.initrd_phys, state.initrd_size, 0, 0});  // as a PVH loader passes an initrd
    write_pvh_start_info(mem, kStartInfoPhys, kPvhCmdlinePhys, memmap, modules);
    state.start_info_phys = kStartInfoPhys;

    enter_protected_mode_32(vcpu, mem, state, uint32_t(*entry), 0, uint32_t(kStartInfoPhys));
}

}  // namespace

void enter_protected_mode_32(kvm::Vcpu& vcpu, GuestMemory& mem, BootState& state, uint32_t eip, uint32_t eax,
                             uint32_t ebx) {
    // The boot GDT is there for the flat selectors below; the kernel loads its own.
    state.gdt = build_boot_gdt(0);
    mem.write(boot::kGdtPhys, state.gdt);
    state.gdt_base = boot::kGdtPhys;  // paging is off: linear == physical

    kvm_sregs s = vcpu.get_sregs();
    s.cs = flat_segment(x86::kKernel32Cs, true, false);
    s.ds = s.es = s.ss = s.fs = s.gs = flat_segment(x86::kKernelDs, false, false);
    set_system_tables(s, state.gdt_base, 0, 0, 0xb);  // a busy TSS, as after reset: VM entry wants a usable TR
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
    state.entry_cpu.regs = r;
}

void enter_long_mode_identity(kvm::Vcpu& vcpu, GuestMemory& mem, BootState& state, uint64_t rip, uint64_t rsi,
                              uint64_t pml4) {
    state.gdt = build_boot_gdt(0);
    mem.write(boot::kGdtPhys, state.gdt);
    state.gdt_base = boot::kGdtPhys;  // identity-mapped

    kvm_sregs s = vcpu.get_sregs();
    s.cs = flat_segment(x86::kKernelCs, true, true);
    s.ds = s.es = s.ss = flat_segment(x86::kKernelDs, false, true);
    s.fs = s.gs = flat_segment(x86::kKernelDs, false, true);
    set_system_tables(s, state.gdt_base, 0, 0, 0xb);  // a busy TSS, as after reset: VM entry wants a usable TR
    s.cr0 = x86::kCr0Pe | x86::kCr0Mp | x86::kCr0Et | x86::kCr0Ne | x86::kCr0Pg;
    s.cr3 = pml4;
    s.cr4 = x86::kCr4Pae;
    s.efer = x86::kEferLme | x86::kEferLma;
    vcpu.set_sregs(s);

    kvm_regs r{};
    r.rip = rip;
    r.rsi = rsi;
    r.rflags = x86::kRflagsFixed;
    vcpu.set_regs(r);
    state.entry_cpu.regs = r;
}

BootState setup_boot(kvm::Vcpu& vcpu, GuestMemory& mem, const KernelImage& image, const BootOptions& opts,
                     const std::vector<kvm_cpuid_entry2>& cpuid) {
    if (auto why = entry_mode_unsupported(opts.entry_mode, cpuid)) throw kvm::KvmUnavailable(*why);
    BootState state;
    state.entry_mode = opts.entry_mode;
    state.protocol = opts.protocol;
    state.image_kind = describe_image(inspect_image(image.file), opts.protocol);
    if (is_foreign(opts.protocol)) {
        // CPUID.1:ECX.HYPERVISOR (bit 31), as QEMU sets it for every guest: KVM's supported CPUID
        // leaves it clear, and without it Linux (bzImage or PVH vmlinux) ignores KVM's leaves
        // 0x40000000.. (kvm-clock: the TSC frequency without calibrating against the PIT, which an
        // emulated host cannot do in time, after which Linux waits for jiffies that come too slowly).
        auto with_hv = cpuid;
        for (auto& e : with_hv)
            if (e.function == 1) e.ecx |= 1u << 31;
        vcpu.set_cpuid(with_hv);
    } else {
        vcpu.set_cpuid(cpuid);  // before EFER.LME: KVM checks long mode against the guest's CPUID
    }
    if (opts.protocol == Protocol::Pvh || opts.protocol == Protocol::Multiboot || opts.protocol == Protocol::Linux) {
        state.foreign = true;
        state.cmdline = opts.cmdline;  // verbatim: these kernels know no lstar.* keys
        if (opts.protocol == Protocol::Linux) setup_linux(vcpu, mem, image, opts, state);
        else setup_foreign(vcpu, mem, image, opts, state);
        kvm_sregs back = vcpu.get_sregs();
        state.cr0 = back.cr0, state.cr3 = back.cr3, state.cr4 = back.cr4, state.efer = back.efer;
        state.entry_cpu.sregs = back;
        return state;
    }
    bool pvh = opts.protocol == Protocol::LstarPvh;
    // The program's arguments travel intact in the argument block, not split on the line.
    state.cmdline = kernel_cmdline(opts.program ? cmdline_without_args(opts.cmdline) : opts.cmdline, opts.entry_mode, pvh);
    state.boot_info_phys = boot::kBootInfoPhys;
    if (pvh) setup_pvh(vcpu, mem, image, opts, state);
    else setup_lstar64(vcpu, mem, image, opts, state);
    // Last, so that the guest TSC sample is as close as possible to the first instruction.
    state.clock = read_boot_clock(vcpu);
    write_boot_clock(mem, state.clock);

    // Read back what KVM holds: the table and the log show these, not what we meant to write.
    const std::vector<uint32_t> idx = {x86::kMsrStar, x86::kMsrLstar, x86::kMsrSyscallMask, x86::kMsrKernelGsBase};
    auto got = vcpu.get_msrs(idx);
    if (!pvh) {
        const std::vector<uint64_t> want = {x86::kStar, state.lstar, x86::kSyscallMask, state.kernel_gs_base};
        for (size_t i = 0; i < idx.size(); ++i)
            if (got[i] != want[i])
                throw std::runtime_error("MSR read-back mismatch: wrote " + std::to_string(want[i]) + " to MSR " +
                                         std::to_string(idx[i]) + ", KVM_GET_MSRS says " + std::to_string(got[i]));
    }
    state.star = got[0];
    state.lstar = got[1];
    state.fmask = got[2];
    state.kernel_gs_base = got[3];
    kvm_sregs back = vcpu.get_sregs();
    state.cr0 = back.cr0;
    state.cr3 = back.cr3;
    state.cr4 = back.cr4;
    state.efer = back.efer;
    state.entry_cpu.sregs = back;
    return state;
}

}  // namespace lstar
