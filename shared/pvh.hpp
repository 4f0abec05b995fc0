// The PVH boot ABI (Xen's include/public/arch-x86/hvm/start_info.h and elfnote.h), as QEMU's
// `-kernel` and lstar use it: enter at the physical address in the XEN_ELFNOTE_PHYS32_ENTRY note,
// in 32-bit protected mode with paging off, flat CS/DS, EBX = address of hvm_start_info.
#pragma once
#include <cstdint>

namespace lstar::pvh {

inline constexpr uint32_t kElfNotePhys32Entry = 18;  // XEN_ELFNOTE_PHYS32_ENTRY, owner "Xen"
inline constexpr uint32_t kStartMagic = 0x336ec578;  // XEN_HVM_START_MAGIC_VALUE

struct StartInfo {  // struct hvm_start_info, version 1
    uint32_t magic;
    uint32_t version;
    uint32_t flags;
    uint32_t nr_modules;
    uint64_t modlist_paddr;
    uint64_t cmdline_paddr;
    uint64_t rsdp_paddr;
    uint64_t memmap_paddr;  // version >= 1
    uint32_t memmap_entries;
    uint32_t reserved;
};
static_assert(sizeof(StartInfo) == 56);

struct ModlistEntry {  // struct hvm_modlist_entry
    uint64_t paddr;
    uint64_t size;
    uint64_t cmdline_paddr;
    uint64_t reserved;
};

struct MemmapEntry {  // struct hvm_memmap_table_entry
    uint64_t addr;
    uint64_t size;
    uint32_t type;  // 1 = RAM (E820 types)
    uint32_t reserved;
};
inline constexpr uint32_t kMemmapRam = 1;
inline constexpr uint32_t kMemmapReserved = 2;

}  // namespace lstar::pvh
