// ELF64 parsing and loading for guest kernels. Every field of the file is checked before use; a
// malformed image is refused with an ElfError that names the problem, and nothing is written.
#pragma once
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "memory/guest_memory.hpp"

namespace lstar {

// The ELF file itself is malformed or unsupported (the loader's only error).
struct ElfError : BadImage {
    using BadImage::BadImage;
};

struct ElfSegment {
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
    uint32_t flags;  // PF_R | PF_W | PF_X
};

struct ElfSymbol {
    std::string name;
    uint64_t value;
    uint64_t size;
    unsigned type;  // STT_FUNC, STT_OBJECT, STT_NOTYPE ...
};

struct ElfNote {
    std::string owner;
    uint32_t type;
    std::vector<uint8_t> desc;
};

struct ElfImage {
    uint64_t entry = 0;
    std::vector<ElfSegment> segments;  // PT_LOAD only, in file order
    std::vector<ElfSymbol> symbols;    // from .symtab (empty if stripped)
    std::vector<ElfNote> notes;        // from PT_NOTE segments
    bool elf32 = false;                // ELFCLASS32 (EM_386), widened
};

// Parse and validate the headers of an ELF64 little-endian x86-64 executable.
ElfImage parse_elf64(std::span<const uint8_t> file);
// The same for ELF64 x86-64 or ELF32 i386 (multiboot and PVH kernels).
ElfImage parse_elf(std::span<const uint8_t> file);

struct LoadedKernel {
    uint64_t entry;       // virtual entry point
    uint64_t phys_start;  // lowest byte any PT_LOAD segment occupies
    uint64_t phys_end;    // one past the highest
};

// Copy PT_LOAD segments to their physical addresses and zero their BSS. Refuses (ElfError) a
// segment outside [min_phys, mem.size()), overlapping segments, and an entry point that is not
// inside an executable segment. Checks everything before writing anything.
LoadedKernel load_elf(const ElfImage& image, std::span<const uint8_t> file, GuestMemory& mem, uint64_t min_phys);

// Physical memory the monitor keeps for its own boot data, named for the refusal.
struct ReservedRange {
    uint64_t start, end;  // [start, end)
    std::string what;     // "the multiboot information, memory map and command lines"
};
// The same, for loaders that place their boot data in a few known ranges (PVH and multiboot, as
// QEMU does): any segment may lie low, even below 1 MiB; one that overlaps a reserved range is
// refused, naming both.
LoadedKernel load_elf(const ElfImage& image, std::span<const uint8_t> file, GuestMemory& mem,
                      const std::vector<ReservedRange>& reserved);

// Read a whole file; throws std::system_error naming the path.
std::vector<uint8_t> read_file(const std::string& path);

}  // namespace lstar
