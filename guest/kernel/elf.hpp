// The parts of the ELF64 format the program loader reads (compare Linux's include/uapi/linux/elf.h).
#pragma once
#include <cstdint>

namespace lstar::kernel::elf {

struct Elf64_Ehdr {
    unsigned char e_ident[16];
    uint16_t e_type, e_machine;
    uint32_t e_version;
    uint64_t e_entry, e_phoff, e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct Elf64_Phdr {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

static_assert(sizeof(Elf64_Ehdr) == 64 && sizeof(Elf64_Phdr) == 56);

inline constexpr unsigned char ELFMAG[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr unsigned EI_CLASS = 4, EI_DATA = 5, EI_VERSION = 6;
inline constexpr unsigned char ELFCLASS64 = 2, ELFDATA2LSB = 1, EV_CURRENT = 1;
inline constexpr uint16_t ET_EXEC = 2, ET_DYN = 3, EM_X86_64 = 62;
inline constexpr uint32_t PT_LOAD = 1, PT_INTERP = 3, PT_PHDR = 6;
inline constexpr uint32_t PF_X = 1, PF_W = 2, PF_R = 4;

// Auxiliary vector entries (include/uapi/linux/auxvec.h).
inline constexpr uint64_t AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
                          AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14,
                          AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25,
                          AT_HWCAP2 = 26, AT_EXECFN = 31, AT_SYSINFO_EHDR = 33;

}  // namespace lstar::kernel::elf
