// Guest symbols, so every address lstar prints can be shown as symbol+offset.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "loader/elf.hpp"

namespace lstar {

// A symbol's name as traces print it: C++ names demangled, without their parameter lists.
std::string display_name(const std::string& name);

class SymbolTable {
public:
    SymbolTable() = default;
    explicit SymbolTable(std::vector<ElfSymbol> symbols);  // keeps named FUNC/OBJECT/NOTYPE symbols

    std::optional<uint64_t> address_of(std::string_view name) const;

    struct Hit {
        const ElfSymbol* symbol;
        uint64_t offset;
    };
    // The symbol at or below addr (within its size when it has one).
    std::optional<Hit> lookup(uint64_t addr) const;

    // "entry_SYSCALL_64+0x1c", "entry_SYSCALL_64", or "" when nothing matches.
    std::string describe(uint64_t addr) const;

    bool empty() const { return sorted_.empty(); }

private:
    std::vector<ElfSymbol> sorted_;     // by value
    std::vector<std::string> display_;  // display_name() of each, computed once (the exit log asks per exit)
};

}  // namespace lstar
