// Booting a Linux bzImage through the x86 boot protocol's 64-bit entry, as Firecracker and
// cloud-hypervisor do (QEMU's -kernel takes the 16-bit entry through its option ROM; the kernel
// then reaches the same code): the protected-mode code copied to code32_start (1 MiB), the
// boot_params zero page with the setup header, an e820 map, the command line and the initrd;
// long mode with an identity map of the low 4 GiB, CS = __BOOT_CS (0x10), DS/ES/SS = __BOOT_DS
// (0x18), RIP = code32_start + 0x200, RSI = boot_params. The kernel decompresses itself.
//
// Guest-physical layout: GDT at boot::kGdtPhys, boot_params at 0x7000, page tables 0x9000-0xf000,
// command line at 0x20000, kernel at 1 MiB, initrd page-aligned at the top of RAM (below
// initrd_addr_max) and above the room the kernel decompresses into.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "boot/boot_state.hpp"
#include "boot/bzimage.hpp"

namespace lstar {

namespace linuxboot {
inline constexpr uint64_t kBootParamsPhys = 0x7000;
inline constexpr uint64_t kPml4Phys = 0x9000;  // then the PDPT at 0xa000, four PDs at 0xb000-0xf000
inline constexpr uint64_t kCmdlinePhys = 0x20000;
inline constexpr uint64_t kLoadPhys = 0x100000;
}  // namespace linuxboot

// Where the initrd goes for this kernel, RAM and size: page-aligned, as high as RAM and
// initrd_addr_max allow, above [load, max(pref_address, load) + init_size). Throws UsageError
// when it does not fit. Pure.
uint64_t place_linux_initrd(const BzImage& b, uint64_t ram, uint64_t size);

// The smallest RAM this kernel can decompress into (for the -m refusal). Pure.
uint64_t linux_min_ram(const BzImage& b);

// The --initrd for Linux: a gzip-compressed file as it is (the kernel unpacks it), anything else
// as load_initrd() (a directory packed, a cpio archive validated). Throws InitrdError.
std::vector<uint8_t> load_linux_initrd(const std::string& path);

// Load and hand over for Protocol::Linux; opts.initrd_bytes is the initrd as given (Linux
// unpacks cpio and gzip itself). Throws BadImage / UsageError before touching guest memory.
void setup_linux(kvm::Vcpu& vcpu, GuestMemory& mem, const KernelImage& image, const BootOptions& opts, BootState& state);

}  // namespace lstar
