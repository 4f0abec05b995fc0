// Booting kernels that know nothing of lstar (docs/foreign-kernels.md): PVH and multiboot v1.
// Both enter in 32-bit protected mode, paging off, flat segments (enter_protected_mode_32 in
// boot_state.cpp, shared with lstar's own PVH path), with a pointer in EBX to what the loader
// hands over: hvm_start_info or multiboot_info, the command line, the modules and a memory map.
//
// Guest-physical layout of the boot data (plan_boot_data, pure): all of it in the conventional
// RAM between page 1 and 0x7000, never in page 0 (the real-mode IVT and BIOS data area), the boot
// sector at 0x7c00, the EBDA below 640 KiB or the VGA/ROM hole; modules page-aligned after the
// kernel image. The memory map is a PC's: RAM below 0x9fc00, reserved up to 1 MiB, RAM above.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "boot/boot_state.hpp"
#include "boot/image_kind.hpp"
#include "pvh.hpp"

namespace lstar {

namespace bootdata {
inline constexpr uint64_t kInfoPhys = 0x1000;       // hvm_start_info or multiboot_info
// PVH's memory map and module list follow hvm_start_info wherever it is (lstar's own kernel
// booted through PVH keeps BootInfo at 0x1000 and gets hvm_start_info higher).
inline constexpr uint64_t kPvhMemmapOffset = 0x100;
inline constexpr uint64_t kPvhModlistOffset = 0x200;
inline constexpr uint64_t kMemmapPhys = kInfoPhys + kPvhMemmapOffset;    // the memory map (at most 8 entries)
inline constexpr uint64_t kModlistPhys = kInfoPhys + kPvhModlistOffset;  // module list (kModulesMax entries)
inline constexpr uint64_t kLoaderNamePhys = 0x1f00;  // multiboot boot_loader_name: "lstar"
inline constexpr uint64_t kCmdlinePhys = 0x3000;     // the command line, kForeignCmdlineMax bytes
inline constexpr uint64_t kModCmdlinePhys = 0x4000;  // module command lines, up to 0x7000
inline constexpr uint64_t kModCmdlineEnd = 0x7000;
inline constexpr uint64_t kForeignCmdlineMax = 4096;
inline constexpr uint64_t kModulesMax = 64;
inline constexpr uint64_t kEbdaStart = 0x9fc00;     // RAM below this is conventional memory
inline constexpr uint64_t kHighRamStart = 0x100000;
// The highest RAM a 32-bit boot can be handed (and below the IOAPIC/LAPIC at 0xfec00000/0xfee00000,
// and KVM's TSS/identity-map pages at 0xfffbc000).
inline constexpr uint64_t kForeignRamMax = 3ull << 30;
}  // namespace bootdata

struct BootDataPlan {
    std::vector<pvh::MemmapEntry> memmap;
    std::vector<BootModule> modules;  // with phys and cmdline_phys filled in
    uint64_t cmdline_phys = bootdata::kCmdlinePhys;
    uint64_t end = 0;  // one past the last module byte
};

// Where everything goes, for RAM of ram bytes and a kernel loaded up to kernel_end. Throws
// UsageError when it does not fit (RAM, command-line sizes, module count).
BootDataPlan plan_boot_data(uint64_t ram, uint64_t kernel_end, const std::string& cmdline,
                            const std::vector<BootModule>& modules);

// The one PVH writer: hvm_start_info at info_phys, its memory map and module list after it. The
// command line is the caller's to write at cmdline_phys.
void write_pvh_start_info(GuestMemory& mem, uint64_t info_phys, uint64_t cmdline_phys,
                          const std::vector<pvh::MemmapEntry>& memmap, const std::vector<pvh::ModlistEntry>& modules);

// What load_elf() is given for a PVH kernel: its segments, with the entry it checks moved to the
// virtual address of the PVH note's physical entry. A PVH kernel is entered there whatever
// e_entry says, and Linux's vmlinux has a physical e_entry (0x1000000) with virtual segment
// addresses (0xffffffff81000000..). Pure; the entry stays e_entry when no segment holds the note's.
ElfImage pvh_load_view(const ElfImage& e, uint64_t pvh_entry);

// Load the image and hand over, for Protocol::Pvh and Protocol::Multiboot. Throws BadImage for an
// image that cannot be booted, UsageError for options that do not fit.
void setup_foreign(kvm::Vcpu& vcpu, GuestMemory& mem, const KernelImage& image, const BootOptions& opts,
                   BootState& state);

// The boot set-up table (-v) for these protocols.
std::string foreign_setup_table(const BootState& state, const std::string& host_kind);

}  // namespace lstar
