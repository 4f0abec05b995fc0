#include "loader/system_map.hpp"

#include <elf.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

#include "common/error.hpp"

namespace lstar {

namespace {

// The next field of a line, after spaces, tabs and a CRLF's '\r'; "" at the end.
std::string_view next_field(std::string_view& line) {
    constexpr std::string_view blanks = " \t\r";
    size_t start = std::min(line.find_first_not_of(blanks), line.size());
    size_t end = std::min(line.find_first_of(blanks, start), line.size());
    std::string_view field = line.substr(start, end - start);
    line.remove_prefix(end);
    return field;
}

}  // namespace

// By hand over string_views: a kernel's kallsyms has ~100k lines, and streams take ~5x as long.
std::vector<ElfSymbol> parse_system_map(const std::string& text, const std::string& name) {
    std::vector<ElfSymbol> out;
    out.reserve(size_t(std::count(text.begin(), text.end(), '\n')) + 1);  // no regrowth: page faults cost most here
    unsigned lineno = 0, placeholders = 0;
    std::optional<uint64_t> per_cpu_start;
    uint64_t per_cpu_end = 0;
    for (std::string_view rest(text); !rest.empty();) {
        std::string_view line = rest.substr(0, rest.find('\n'));
        rest.remove_prefix(std::min(line.size() + 1, rest.size()));
        ++lineno;
        const std::string_view whole = line;
        std::string_view addr = next_field(line), type = next_field(line), sym = next_field(line), module = next_field(line);
        if (addr.empty()) continue;
        uint64_t value = 0;
        auto [end, ec] = std::from_chars(addr.data(), addr.data() + addr.size(), value, 16);
        if (ec != std::errc() || end != addr.data() + addr.size() || type.size() != 1 || sym.empty())
            throw BadImage(name + " line " + std::to_string(lineno) + " is not \"ADDRESS TYPE NAME\" (System.map or /proc/kallsyms): " +
                               std::string(whole.substr(0, 100)),
                           "--symbols");
        if (sym == "__per_cpu_start") per_cpu_start = value;
        if (sym == "__per_cpu_end") per_cpu_end = value;
        if (value == 0 || value == ~0ull) {  // kallsyms without CAP_SYSLOG, or Debian's stub line
            ++placeholders;
            continue;
        }
        if (!module.empty() && module.front() == '[') continue;  // a module's symbol: not in the kernel image
        const char t = type[0];
        // Absolute symbols (kallsyms shows x86-64's per-CPU ones so) are numbers, not places in the
        // image: KASLR does not move them, and named they would claim every address up to the kernel's.
        if (t == 'A' || t == 'a') continue;
        out.push_back({std::string(sym), value, 0, unsigned(t == 'T' || t == 't' || t == 'W' || t == 'w' ? STT_FUNC : STT_OBJECT)});
    }
    // x86-64 Linux links its per-CPU variables at 0 (offsets from GS base, up to and with __per_cpu_end):
    // System.map types them D/d like data; they are not addresses either. (Kernels that link them
    // in place, as 32-bit ones do, keep them.)
    if (per_cpu_start == 0u && per_cpu_end != 0)
        std::erase_if(out, [&](const ElfSymbol& s) { return s.value <= per_cpu_end; });
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
