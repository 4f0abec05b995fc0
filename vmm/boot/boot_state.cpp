#include "boot/boot_state.hpp"

#include <cstring>

#include "boot_protocol.hpp"
#include "x86/msr.hpp"
#include "x86/selectors.hpp"

namespace lstar {

namespace {

kvm_segment code_segment(uint16_t sel) {
    kvm_segment s{};
    s.selector = sel;
    s.limit = 0xffffffff;
    s.type = 0xb;  // execute/read, accessed
    s.present = 1;
    s.dpl = sel & 3;
    s.s = 1;
    s.l = 1;
    s.g = 1;
    return s;
}

kvm_segment data_segment(uint16_t sel) {
    kvm_segment s{};
    s.selector = sel;
    s.limit = 0xffffffff;
    s.type = 0x3;  // read/write, accessed
    s.present = 1;
    s.dpl = sel & 3;
    s.s = 1;
    s.db = 1;
    s.g = 1;
    return s;
}

boot::BootInfo make_boot_info(const GuestMemory& mem, const LoadedKernel& k, const BootPageTables& pt,
                              const BootOptions& opts) {
    boot::BootInfo bi{};
    bi.magic = boot::kBootInfoMagic;
    bi.version = boot::kBootInfoVersion;
    bi.flags = boot::kFlagMsrsByMonitor | (opts.guest_events ? boot::kFlagGuestEvents : 0);
    bi.ram_bytes = mem.size();
    bi.kernel_phys_start = k.phys_start;
    bi.kernel_phys_end = k.phys_end;
    // Free RAM starts on the page after the kernel image; the mapping is fresh, hence zero.
    bi.free_phys_start = (k.phys_end + 0xfff) & ~0xfffull;
    bi.free_phys_end = mem.size();
    bi.boot_pml4_phys = pt.pml4_phys;
    bi.gdt_phys = boot::kGdtPhys;
    if (opts.cmdline.size() >= boot::kCmdlineMax)
        throw std::invalid_argument("kernel command line is " + std::to_string(opts.cmdline.size()) +
                                    " bytes; the boot protocol allows " + std::to_string(boot::kCmdlineMax - 1));
    std::memcpy(bi.cmdline, opts.cmdline.data(), opts.cmdline.size());
    return bi;
}

}  // namespace

BootState setup_boot(kvm::Vcpu& vcpu, GuestMemory& mem, const KernelImage& image, const BootOptions& opts,
                     const std::vector<kvm_cpuid_entry2>& cpuid) {
    if (!image.lstar_protocol())
        throw ElfError(image.name + ": not an lstar-protocol kernel (no \"lstar\" ELF note); "
                       "PVH and multiboot images are not supported yet");
    BootState st;
    // Resolve every symbol before touching guest memory, so a bad image changes nothing.
    st.lstar = image.required_symbol("entry_SYSCALL_64");
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

    auto bi = make_boot_info(mem, st.kernel, st.page_tables, opts);
    mem.write(boot::kBootInfoPhys, bi);
    st.boot_info_phys = boot::kBootInfoPhys;
    st.flags = bi.flags;
    st.cmdline = opts.cmdline;

    vcpu.set_cpuid(cpuid);  // before EFER.LME: KVM checks long mode against the guest's CPUID

    kvm_sregs s = vcpu.get_sregs();
    s.cs = code_segment(x86::kKernelCs);
    s.ds = s.es = s.ss = data_segment(x86::kKernelDs);
    s.fs = s.gs = data_segment(0);
    s.fs.present = s.gs.present = 0;
    s.fs.unusable = s.gs.unusable = 1;
    s.tr = {};
    s.tr.base = st.tss_base;
    s.tr.limit = sizeof(x86::Tss64) - 1;
    s.tr.selector = x86::kTssSel;
    s.tr.type = x86::kSysTypeTss64Busy;
    s.tr.present = 1;
    s.ldt = {};
    s.ldt.type = 0x2;
    s.ldt.unusable = 1;
    s.gdt.base = st.gdt_base;
    s.gdt.limit = uint16_t(sizeof(Gdt) - 1);
    s.idt.base = 0;  // the kernel loads its own IDT
    s.idt.limit = 0;
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

    // The syscall MSRs as Linux's syscall_init() writes them; EFER.SCE went in with the sregs.
    const std::vector<uint32_t> idx = {x86::kMsrStar, x86::kMsrLstar, x86::kMsrSyscallMask, x86::kMsrKernelGsBase};
    const std::vector<uint64_t> want = {x86::kStar, st.lstar, x86::kSyscallMask, st.kernel_gs_base};
    std::vector<std::pair<uint32_t, uint64_t>> msrs;
    for (size_t i = 0; i < idx.size(); ++i) msrs.emplace_back(idx[i], want[i]);
    vcpu.set_msrs(msrs);
    auto got = vcpu.get_msrs(idx);
    for (size_t i = 0; i < idx.size(); ++i)
        if (got[i] != want[i])
            throw std::runtime_error("MSR read-back mismatch: wrote " + std::to_string(want[i]) + " to MSR " +
                                     std::to_string(idx[i]) + ", KVM_GET_MSRS says " + std::to_string(got[i]));
    st.star = got[0];
    st.fmask = got[2];

    kvm_sregs back = vcpu.get_sregs();
    st.cr0 = back.cr0;
    st.cr3 = back.cr3;
    st.cr4 = back.cr4;
    st.efer = back.efer;
    return st;
}

}  // namespace lstar
