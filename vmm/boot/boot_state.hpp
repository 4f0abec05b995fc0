// The machine state of lstar's 64-bit boot protocol (shared/boot_protocol.hpp), built by the
// monitor before the guest kernel's first instruction: RAM contents (kernel, GDT, page tables,
// boot information), segment and control registers, the syscall MSRs, and CPUID.
#pragma once
#include <linux/kvm.h>

#include <cstdint>
#include <string>
#include <vector>

#include "boot/gdt.hpp"
#include "event_abi.hpp"
#include "boot/kernel_image.hpp"
#include "kvm/vcpu.hpp"
#include "loader/elf.hpp"
#include "memory/guest_memory.hpp"
#include "memory/page_table_builder.hpp"
#include "x86/descriptor.hpp"

namespace lstar {

// Who programs EFER.SCE, STAR, LSTAR, FMASK and KERNEL_GS_BASE (--msr-setup).
enum class MsrSetup {
    Monitor,  // lstar's 64-bit protocol: the monitor writes them before the first instruction
    Guest,    // PVH entry: the kernel builds long mode and writes them itself; the monitor traps them
};

struct BootOptions {
    std::string cmdline;
    bool guest_events = true;  // BootInfo kFlagGuestEvents
    abi::EntryMode entry = abi::EntryMode::Direct;
    MsrSetup msr_setup = MsrSetup::Monitor;
    const std::vector<uint8_t>* initrd = nullptr;  // a cpio newc archive (boot/initrd.hpp), or none
    uint64_t random_seed = 0;                      // BootInfo.random_seed
};

const char* entry_mode_name(abi::EntryMode m);  // "direct", "pti", "pti-pcid"

// Why this KVM cannot run the entry mode (pti-pcid needs PCID in CPUID), or "".
std::string entry_mode_unsupported(abi::EntryMode m, const std::vector<kvm_cpuid_entry2>& cpuid);

// What was set up, read back from KVM where KVM holds it: the start-up table and the head of the
// exit log print this.
struct BootState {
    std::string protocol;  // "lstar64" (monitor-built long mode) or "pvh" (32-bit entry, the guest builds it)
    abi::EntryMode entry_mode = abi::EntryMode::Direct;
    uint64_t pvh_entry = 0;       // PVH: the physical 32-bit entry point
    uint64_t start_info_phys = 0;  // PVH: hvm_start_info
    LoadedKernel kernel{};
    BootPageTables page_tables{};
    Gdt gdt{};
    uint64_t gdt_base = 0;  // linear address in GDTR
    uint64_t tss_base = 0;
    x86::Tss64 tss{};       // as found in the image at cpu_tss
    uint64_t cr0 = 0, cr3 = 0, cr4 = 0, efer = 0;
    uint64_t star = 0, lstar = 0, fmask = 0, kernel_gs_base = 0;  // read back with KVM_GET_MSRS
    uint64_t entry = 0;
    uint64_t boot_info_phys = 0;
    uint64_t initrd_phys = 0, initrd_size = 0;  // BootInfo's initrd, 0/0 for none
    uint64_t flags = 0;
    std::string cmdline;
};

// Throws ElfError for an image that cannot be booted, std::system_error for KVM failures.
BootState setup_boot(kvm::Vcpu& vcpu, GuestMemory& mem, const KernelImage& image, const BootOptions& opts,
                     const std::vector<kvm_cpuid_entry2>& cpuid);

}  // namespace lstar
