#include "loader/system_map.hpp"

#include <elf.h>

#include <sstream>

#include "common/error.hpp"

namespace lstar {

std::vector<ElfSymbol> parse_system_map(const std::string& text, const std::string& name) {
    std::vector<ElfSymbol> out;
    std::istringstream in(text);
    unsigned lineno = 0, placeholders = 0;
    for (std::string line; std::getline(in, line);) {
        ++lineno;
        if (line.empty()) continue;
        std::istringstream l(line);
        std::string addr, type, sym, module;
        l >> addr >> type >> sym >> module;
        uint64_t value = 0;
        size_t used = 0;
        try {
            value = std::stoull(addr, &used, 16);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != addr.size() || addr.empty() || type.size() != 1 || sym.empty())
            throw BadImage(name + " line " + std::to_string(lineno) + ": not \"ADDRESS TYPE NAME\" (System.map or /proc/kallsyms)",
                           "--symbols");
        if (value == 0 || value == ~0ull) {  // kallsyms without CAP_SYSLOG, or Debian's stub line
            ++placeholders;
            continue;
        }
        if (!module.empty() && module.front() == '[') continue;  // a module's symbol: not in the kernel image
        const char t = type[0];
        out.push_back({sym, value, 0, unsigned(t == 'T' || t == 't' || t == 'W' || t == 'w' ? STT_FUNC : STT_OBJECT)});
    }
    if (out.empty())
        throw BadImage(name + " has no symbol with an address (" + std::to_string(placeholders) +
                           " placeholders): Debian's /boot/System.map-* is a stub whose real version is in linux-image-*-dbg, "
                           "and /proc/kallsyms shows zeros without CAP_SYSLOG; read it as root inside the guest (docs/linux.md)",
                       "--symbols");
    return out;
}

std::vector<ElfSymbol> slide_symbols(std::vector<ElfSymbol> symbols, uint64_t slide) {
    for (auto& s : symbols) s.value += slide;
    return symbols;
}

}  // namespace lstar
