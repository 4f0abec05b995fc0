// Finding the vDSO from a user program, as glibc does (compare the method of Linux's
// tools/testing/selftests/vDSO/parse_vdso.c; this is lstar's own code): the kernel passes the
// vDSO's ELF header in the auxiliary vector (AT_SYSINFO_EHDR); its PT_DYNAMIC segment leads to the
// dynamic symbol table, the SysV hash table and the symbol versions; a symbol counts only if it is
// a defined function with the version asked for (LINUX_2.6 for the x86-64 vDSO).
#pragma once
#include <cstdint>

#include "string.hpp"
#include "../kernel/elf.hpp"  // Elf64_Ehdr, Elf64_Phdr

namespace user::vdso {

using Ehdr = lstar::kernel::elf::Elf64_Ehdr;
using Phdr = lstar::kernel::elf::Elf64_Phdr;
struct Dyn {
    int64_t d_tag;
    uint64_t d_val;
};
struct Sym {
    uint32_t st_name;
    unsigned char st_info, st_other;
    uint16_t st_shndx;
    uint64_t st_value, st_size;
};
struct Verdef {
    uint16_t vd_version, vd_flags, vd_ndx, vd_cnt;
    uint32_t vd_hash, vd_aux, vd_next;
};
struct Verdaux {
    uint32_t vda_name, vda_next;
};

using lstar::kernel::elf::AT_NULL, lstar::kernel::elf::AT_SYSINFO_EHDR, lstar::kernel::elf::PT_LOAD;
inline constexpr uint32_t PT_DYNAMIC = 2;
inline constexpr int64_t DT_NULL = 0, DT_HASH = 4, DT_STRTAB = 5, DT_SYMTAB = 6, DT_VERSYM = 0x6ffffff0,
                         DT_VERDEF = 0x6ffffffc;
inline constexpr unsigned STT_FUNC = 2, STB_GLOBAL = 1, STB_WEAK = 2;
inline constexpr uint16_t VER_FLG_BASE = 1;

// The auxv value for type, from main's argv (argv[argc] = NULL, then envp..., NULL, then auxv).
inline uint64_t getauxval(char** argv, uint64_t type) {
    char** p = argv;
    while (*p) p++;  // end of argv
    p++;
    while (*p) p++;  // end of envp
    for (auto* a = reinterpret_cast<uint64_t*>(p + 1); a[0] != AT_NULL; a += 2)
        if (a[0] == type) return a[1];
    return 0;
}

inline uint32_t elf_hash(const char* name) {  // the SysV ELF hash (gABI)
    uint32_t h = 0;
    for (auto* s = reinterpret_cast<const unsigned char*>(name); *s; s++) {
        h = (h << 4) + *s;
        const uint32_t g = h & 0xf0000000;
        if (g) h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

using lstar::lib::streq;

class Vdso {
public:
    // False if base is not a usable vDSO (no PT_LOAD / PT_DYNAMIC / tables).
    bool init(uint64_t base) {
        if (!base) return false;
        const auto* eh = reinterpret_cast<const Ehdr*>(base);
        if (eh->e_ident[0] != 0x7f || eh->e_ident[1] != 'E' || eh->e_ident[2] != 'L' || eh->e_ident[3] != 'F')
            return false;
        const auto* ph = reinterpret_cast<const Phdr*>(base + eh->e_phoff);
        const Dyn* dyn = nullptr;
        bool found_load = false;
        for (unsigned i = 0; i < eh->e_phnum; i++) {
            if (ph[i].p_type == PT_LOAD && !found_load) {
                found_load = true;
                load_offset_ = base + ph[i].p_offset - ph[i].p_vaddr;  // where link address 0 landed
            } else if (ph[i].p_type == PT_DYNAMIC) {
                dyn = reinterpret_cast<const Dyn*>(base + ph[i].p_offset);
            }
        }
        if (!found_load || !dyn) return false;
        const uint32_t* hash = nullptr;
        for (; dyn->d_tag != DT_NULL; dyn++) {
            const uint64_t addr = dyn->d_val + load_offset_;
            switch (dyn->d_tag) {
            case DT_STRTAB: strtab_ = reinterpret_cast<const char*>(addr); break;
            case DT_SYMTAB: symtab_ = reinterpret_cast<const Sym*>(addr); break;
            case DT_HASH: hash = reinterpret_cast<const uint32_t*>(addr); break;
            case DT_VERSYM: versym_ = reinterpret_cast<const uint16_t*>(addr); break;
            case DT_VERDEF: verdef_ = reinterpret_cast<const Verdef*>(addr); break;
            }
        }
        if (!strtab_ || !symtab_ || !hash) return false;
        if (!verdef_) versym_ = nullptr;  // versions need both
        nbucket_ = hash[0];
        nchain_ = hash[1];
        bucket_ = hash + 2;
        chain_ = bucket_ + nbucket_;
        return nbucket_ != 0;
    }

    // The address of name@version (a defined global or weak function), or nullptr.
    void* lookup(const char* version, const char* name) const {
        const uint32_t ver_hash = elf_hash(version);
        for (uint32_t i = bucket_[elf_hash(name) % nbucket_]; i != 0 && i < nchain_; i = chain_[i]) {
            const Sym& s = symtab_[i];
            const unsigned type = s.st_info & 0xf, bind = s.st_info >> 4;
            if (type != STT_FUNC || (bind != STB_GLOBAL && bind != STB_WEAK) || s.st_shndx == 0) continue;
            if (!streq(name, strtab_ + s.st_name)) continue;
            if (versym_ && !version_matches(versym_[i], version, ver_hash)) continue;
            return reinterpret_cast<void*>(load_offset_ + s.st_value);
        }
        return nullptr;
    }

private:
    bool version_matches(uint16_t ver, const char* name, uint32_t hash) const {
        ver &= 0x7fff;  // the hidden bit does not matter here
        for (const Verdef* d = verdef_;; d = reinterpret_cast<const Verdef*>(reinterpret_cast<const char*>(d) + d->vd_next)) {
            if (!(d->vd_flags & VER_FLG_BASE) && (d->vd_ndx & 0x7fff) == ver) {
                const auto* aux = reinterpret_cast<const Verdaux*>(reinterpret_cast<const char*>(d) + d->vd_aux);
                return d->vd_hash == hash && streq(name, strtab_ + aux->vda_name);
            }
            if (d->vd_next == 0) return false;
        }
    }

    uint64_t load_offset_ = 0;
    const char* strtab_ = nullptr;
    const Sym* symtab_ = nullptr;
    const uint16_t* versym_ = nullptr;
    const Verdef* verdef_ = nullptr;
    const uint32_t* bucket_ = nullptr;
    const uint32_t* chain_ = nullptr;
    uint32_t nbucket_ = 0, nchain_ = 0;
};

}  // namespace user::vdso
