#include "loader/symbols.hpp"

#include <elf.h>

#include <cxxabi.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>


namespace lstar {

// C++ names in traces the way people read them: "lstar::kernel::event_send" rather than
// "_ZN5lstar6kernel10event_sendEv" (the parameter list is left out; it adds nothing to a trace).
std::string display_name(const std::string& name) {
    if (name.rfind("_Z", 0) != 0) return name;
    int status = 0;
    char* d = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
    if (status != 0 || !d) return name;
    std::string s(d);
    std::free(d);
    int depth = 0;  // cut at the parameter list's '(' (not one inside template arguments)
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '<') ++depth;
        else if (s[i] == '>') --depth;
        else if (s[i] == '(' && depth == 0 && i > 0) return s.substr(0, i);
    }
    return s;
}

SymbolTable::SymbolTable(std::vector<ElfSymbol> symbols) {
    std::erase_if(symbols, [](const ElfSymbol& s) {
        return s.name.empty() || (s.type != STT_FUNC && s.type != STT_OBJECT && s.type != STT_NOTYPE);
    });
    // By address; among symbols at one address the sized ones last, so lookup prefers them.
    std::stable_sort(symbols.begin(), symbols.end(), [](const ElfSymbol& a, const ElfSymbol& b) {
        return a.value != b.value ? a.value < b.value : (a.size != 0) < (b.size != 0);
    });
    sorted_ = std::move(symbols);
    display_.reserve(sorted_.size());
    for (const auto& sym : sorted_) display_.push_back(display_name(sym.name));
}

std::optional<uint64_t> SymbolTable::address_of(std::string_view name) const {
    auto it = std::find_if(sorted_.begin(), sorted_.end(), [&](const ElfSymbol& s) { return s.name == name; });
    if (it == sorted_.end()) return std::nullopt;
    return it->value;
}

std::optional<SymbolTable::Hit> SymbolTable::lookup(uint64_t addr) const {
    auto it = std::upper_bound(sorted_.begin(), sorted_.end(), addr,
                               [](uint64_t a, const ElfSymbol& s) { return a < s.value; });
    // Walk back over the symbols at the nearest address below: a sized one must contain addr; an
    // unsized one (an assembly label) extends to the next symbol, as in Linux's kallsyms.
    uint64_t nearest = it == sorted_.begin() ? 0 : std::prev(it)->value;
    while (it != sorted_.begin() && std::prev(it)->value == nearest) {
        const auto& s = *--it;
        uint64_t offset = addr - s.value;
        // An unsized label reaches to the next symbol; the last one only to the end of its page,
        // so that a far-away number is not named after it.
        bool last = it + 1 == sorted_.end() || std::next(it)->value == s.value;
        if (s.size == 0 ? (!last || offset < 0x1000) : offset < s.size) return Hit{&s, offset};
    }
    return std::nullopt;
}

std::string SymbolTable::describe(uint64_t addr) const {
    auto hit = lookup(addr);
    if (!hit) return "";
    const std::string& name = display_[size_t(hit->symbol - sorted_.data())];
    if (hit->offset == 0) return name;
    // "name+0x1f": by hand rather than fmt::format, since the exit log calls this once per exit.
    char off[20] = {'+', '0', 'x'};
    auto r = std::to_chars(off + 3, off + sizeof off, hit->offset, 16);
    std::string s;
    s.reserve(name.size() + size_t(r.ptr - off));
    s.append(name).append(off, r.ptr);
    return s;
}

}  // namespace lstar
