// libFuzzer target: the ELF64 loader. The input is a whole image file, parsed by parse_elf64 and,
// when it parses, loaded by load_elf into a small guest RAM, and its symbols are looked up.
//
// Checked beyond "no crash, no sanitizer report":
//   * every parsed PT_LOAD segment's file bytes lie inside the file;
//   * a refused load leaves guest memory untouched (load_elf checks everything before writing);
//   * a successful load reports a physical range inside guest RAM and above min_phys.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "loader/elf.hpp"
#include "loader/symbols.hpp"
#include "memory/guest_memory.hpp"

using namespace lstar;

namespace {

constexpr uint64_t kRam = 8ull << 20;        // room for the built-in kernel (2 MiB) and user programs (4 MiB)
constexpr uint64_t kMinPhys = 0x100000;      // boot::kLowReservedEnd
constexpr uint64_t kMaxZeroCheck = 1ull << 20;  // cap the "untouched" scan per input

bool all_zero(const GuestMemory& mem, uint64_t gpa, uint64_t len) {
    static const uint8_t zeros[4096] = {};
    auto s = mem.span(gpa, len);
    for (uint64_t off = 0; off < len; off += sizeof zeros) {
        uint64_t n = std::min<uint64_t>(sizeof zeros, len - off);
        if (std::memcmp(s.data() + off, zeros, n) != 0) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static GuestMemory mem(kRam);  // stays all-zero between inputs
    std::span<const uint8_t> file(data, size);

    ElfImage image;
    try {
        image = parse_elf64(file);
    } catch (const ElfError&) {
        return 0;
    }
    for (const auto& s : image.segments)
        if (s.offset > size || s.filesz > size - s.offset || s.filesz > s.memsz) std::abort();

    SymbolTable symbols(image.symbols);
    (void)symbols.describe(image.entry);
    for (const auto& sym : image.symbols) {
        (void)symbols.address_of(sym.name);
        (void)symbols.describe(sym.value + sym.size / 2);
    }

    try {
        auto k = load_elf(image, file, mem, kMinPhys);
        if (k.phys_end > kRam || k.phys_start > k.phys_end) std::abort();
        if (k.phys_end != 0 && k.phys_start < kMinPhys) std::abort();
        std::memset(mem.span(k.phys_start, k.phys_end - k.phys_start).data(), 0, k.phys_end - k.phys_start);
    } catch (const ElfError&) {
        // Nothing may have been written: every byte a segment covers (inside RAM) is still zero.
        uint64_t budget = kMaxZeroCheck;
        for (const auto& s : image.segments) {
            if (s.paddr >= kRam) continue;
            uint64_t len = std::min({s.memsz, kRam - s.paddr, budget});
            if (!all_zero(mem, s.paddr, len)) std::abort();
            budget -= len;
        }
    }
    return 0;
}
