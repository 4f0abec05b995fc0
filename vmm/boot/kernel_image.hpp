// A guest kernel image: the file, its parsed ELF headers and its symbols.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "loader/elf.hpp"
#include "loader/symbols.hpp"

namespace lstar {

struct KernelImage {
    std::string name;  // path, or "built-in"
    std::vector<uint8_t> file;
    ElfImage elf;
    SymbolTable symbols;
    // --symbols FILE: at their link addresses, until the KASLR slide is known (run/run_events.cpp).
    std::vector<ElfSymbol> linked_symbols;

    // Throws BadImage naming the problem.
    static KernelImage from_bytes(std::string name, std::vector<uint8_t> bytes);
    static KernelImage from_file(const std::string& path);
    static KernelImage builtin();  // the kernel embedded in the lstar binary
    static std::span<const uint8_t> builtin_bytes();  // its bytes, in place (no copy, nothing parsed)

    // The boot-protocol version from the "lstar" ELF note, if the image carries one.
    std::optional<uint32_t> lstar_protocol() const;
    // A symbol the boot protocol needs; throws BadImage if the image lacks it.
    uint64_t required_symbol(const char* name) const;
};

}  // namespace lstar
