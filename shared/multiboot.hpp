// Multiboot, version 0.6.96 (the GNU Multiboot Specification, "multiboot v1"), as GRUB legacy,
// GRUB 2's `multiboot` command and QEMU's `-kernel` boot it: the header in the image's first
// 8 KiB, and the information structure the loader hands over in EBX.
#pragma once
#include <cstdint>

namespace lstar::multiboot {

inline constexpr uint32_t kHeaderMagic = 0x1BADB002;      // in the image
inline constexpr uint32_t kBootloaderMagic = 0x2BADB002;  // in EAX at entry
inline constexpr uint32_t kSearchBytes = 8192;            // the header lies within the first 8 KiB
inline constexpr uint32_t kHeaderAlign = 4;               // ... 32-bit aligned

// Header flags. Bits 0-15 are requirements: a loader that does not understand one must refuse.
inline constexpr uint32_t kPageAlign = 1u << 0;    // modules page-aligned
inline constexpr uint32_t kMemoryInfo = 1u << 1;   // mem_* (and mmap) wanted
inline constexpr uint32_t kVideoMode = 1u << 2;    // a video mode wanted (optional for the loader)
inline constexpr uint32_t kAoutKludge = 1u << 16;  // the address fields below are valid: load by them

struct Header {  // at a 4-byte aligned offset in the first 8 KiB
    uint32_t magic;
    uint32_t flags;
    uint32_t checksum;  // magic + flags + checksum == 0 (mod 2^32)
    // Valid with kAoutKludge:
    uint32_t header_addr;    // physical address the header itself is loaded to
    uint32_t load_addr;      // start of the text segment
    uint32_t load_end_addr;  // end of the data segment (0: the whole rest of the file)
    uint32_t bss_end_addr;   // end of bss (0: no bss)
    uint32_t entry_addr;
    // Valid with kVideoMode: mode_type, width, height, depth (not used by lstar).
};

// multiboot_info.flags: which fields are valid.
inline constexpr uint32_t kInfoMemory = 1u << 0;    // mem_lower, mem_upper
inline constexpr uint32_t kInfoCmdline = 1u << 2;
inline constexpr uint32_t kInfoMods = 1u << 3;
inline constexpr uint32_t kInfoMmap = 1u << 6;
inline constexpr uint32_t kInfoLoaderName = 1u << 9;

struct Info {  // struct multiboot_info
    uint32_t flags;
    uint32_t mem_lower;  // KiB of RAM from 0 (at most 640)
    uint32_t mem_upper;  // KiB of RAM from 1 MiB up to the first hole
    uint32_t boot_device;
    uint32_t cmdline;  // physical address of a NUL-terminated string
    uint32_t mods_count;
    uint32_t mods_addr;  // physical address of mods_count Module entries
    uint32_t syms[4];
    uint32_t mmap_length;  // bytes of MmapEntry records
    uint32_t mmap_addr;
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
    uint32_t apm_table;
    uint32_t vbe_control_info, vbe_mode_info;
    uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
};
static_assert(sizeof(Info) == 88);

struct Module {  // struct multiboot_mod_list
    uint32_t mod_start, mod_end;  // [start, end) physical
    uint32_t cmdline;
    uint32_t pad;
};
static_assert(sizeof(Module) == 16);

struct __attribute__((packed)) MmapEntry {  // struct multiboot_mmap_entry
    uint32_t size;  // of the rest of this entry: 20 (the next entry is at this + size + 4)
    uint64_t addr;
    uint64_t len;
    uint32_t type;  // 1 = available RAM, 2 = reserved (E820 types)
};
static_assert(sizeof(MmapEntry) == 24);

}  // namespace lstar::multiboot
