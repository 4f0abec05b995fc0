// The machine state of lstar's 64-bit boot protocol (shared/boot_protocol.hpp), built by the
// monitor before the guest kernel's first instruction: RAM contents (kernel, GDT, page tables,
// boot information), segment and control registers, the syscall MSRs, and CPUID.
#pragma once
#include <linux/kvm.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "boot/kernel_cmdline.hpp"

#include "boot/gdt.hpp"
#include "boot/image_kind.hpp"
#include "event_abi.hpp"
#include "option_names.hpp"
#include "boot/kernel_image.hpp"
#include "boot/wall_clock.hpp"
#include "kvm/vcpu.hpp"
#include "loader/elf.hpp"
#include "memory/guest_memory.hpp"
#include "memory/page_table_builder.hpp"
#include "pvh.hpp"
#include "x86/descriptor.hpp"

namespace lstar {

using abi::MsrSetup;  // --msr-setup (shared/option_names.hpp)

// A --module FILE: its bytes and where the boot put them.
struct BootModule {
    std::string name;  // the path, also its command line (as GRUB and QEMU pass it)
    std::vector<uint8_t> data;
    uint64_t phys = 0, cmdline_phys = 0;
};

struct BootOptions {
    std::string cmdline;
    Protocol protocol = Protocol::Lstar64;  // from choose_protocol (image_kind.hpp)
    std::vector<BootModule> modules;        // PVH and multiboot only
    bool guest_events = true;  // BootInfo kFlagGuestEvents
    abi::EntryMode entry_mode = abi::EntryMode::Direct;
    MsrSetup msr_setup = MsrSetup::Monitor;
    const std::vector<uint8_t>* initrd = nullptr;  // a cpio newc archive (boot/initrd.hpp), or none
    uint64_t random_seed = 0;                      // BootInfo.random_seed
    const ProgramArgs* program = nullptr;  // lstar's kernel: argv/envp in the argument block, or none
};

// Why this KVM cannot run the entry mode (pti-pcid needs PCID in CPUID), if it cannot.
std::optional<std::string> entry_mode_unsupported(abi::EntryMode m, const std::vector<kvm_cpuid_entry2>& cpuid);

// What was set up, read back from KVM where KVM holds it: the start-up table and the head of the
// exit log print this.
struct BootState {
    Protocol protocol = Protocol::Lstar64;  // protocol_name() for the table and the exit log
    bool foreign = false;  // PVH, multiboot or Linux as any loader does it: no BootInfo, no lstar ports
    std::string image_kind;  // describe_image(): the line that says which protocol and why
    std::vector<pvh::MemmapEntry> memmap;  // foreign: the memory map handed over
    std::vector<std::pair<uint64_t, uint64_t>> modules;  // foreign: [phys, size) of each module
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
    uint64_t entry_rip = 0;  // the kernel's first instruction (entry_mode says how syscalls enter it)
    // The registers as lstar set them and KVM read them back: the last state a report can show
    // when KVM resets the vCPU before the first exit (run/last_seen.hpp).
    CpuState entry_cpu{};
    uint64_t boot_info_phys = 0;
    uint64_t initrd_phys = 0, initrd_size = 0;  // BootInfo's initrd, 0/0 for none
    uint64_t flags = 0;
    std::string cmdline;
    BootClock clock;  // what BootInfo's wall-clock fields say (both protocols)
};

// 32-bit protected mode with paging off, flat 4 GiB CS/DS (the boot GDT at boot::kGdtPhys), as
// PVH and multiboot enter: EIP, EAX and EBX given, interrupts off.
void enter_protected_mode_32(kvm::Vcpu& vcpu, GuestMemory& mem, BootState& state, uint32_t eip, uint32_t eax,
                             uint32_t ebx);

// 64-bit mode with the identity map at pml4 (Linux's 64-bit boot protocol): CS = __BOOT_CS,
// DS/ES/SS = __BOOT_DS of the boot GDT, RIP and RSI given, interrupts off.
void enter_long_mode_identity(kvm::Vcpu& vcpu, GuestMemory& mem, BootState& state, uint64_t rip, uint64_t rsi,
                              uint64_t pml4);

// Throws BadImage for an image that cannot be booted, std::system_error for KVM failures.
BootState setup_boot(kvm::Vcpu& vcpu, GuestMemory& mem, const KernelImage& image, const BootOptions& opts,
                     const std::vector<kvm_cpuid_entry2>& cpuid);

}  // namespace lstar
