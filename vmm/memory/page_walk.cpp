#include "memory/page_walk.hpp"

#include <algorithm>
#include <cstring>

#include "x86/msr.hpp"
#include "x86/paging.hpp"

namespace lstar {
namespace {

using namespace x86;

constexpr uint64_t level_span(int level) { return 1ull << (12 + 9 * (level - 1)); }

// CR3 bits 51:12 address the PML4; the PCID (11:0) and the no-flush bit (63) are not address bits.
constexpr uint64_t cr3_table(uint64_t cr3) { return cr3 & kPteAddrMask; }

// Read entry `index` of the table at `table`; nullopt when the table is not inside RAM.
std::optional<uint64_t> read_entry(const GuestMemory& mem, uint64_t table, unsigned index) {
    uint64_t gpa = table + uint64_t(index) * 8;
    if (!mem.contains(gpa, 8)) return std::nullopt;
    return mem.read<uint64_t>(gpa);
}

// A leaf: PTE at level 1, or PS set in a PDE or PDPTE. PS in a PML4E is reserved (treated as absent).
constexpr bool is_leaf(uint64_t entry, int level) { return level == 1 || ((level == 2 || level == 3) && (entry & kPteLarge)); }
constexpr bool is_reserved_large(uint64_t entry, int level) { return level == 4 && (entry & kPteLarge); }

// Call fn(span) for each physically contiguous piece of [va, va + len) in address order; stop with
// false when a byte is unreadable, with true when fn returns false or everything was visited.
template <class Fn>
bool for_each_chunk(const GuestMemory& mem, uint64_t cr3, uint64_t va, uint64_t len, Access access, Fn fn) {
    if (len != 0 && va + (len - 1) < va) return false;  // wraps around the address space
    while (len > 0) {
        auto t = translate(mem, cr3, va);
        if (!t || (access == Access::User && !t->user)) return false;
        uint64_t chunk = std::min(len, t->page_size - (va & (t->page_size - 1)));
        if (!mem.contains(t->gpa, chunk)) return false;
        if (!fn(mem.span(t->gpa, chunk))) return true;
        va += chunk;
        len -= chunk;
    }
    return true;
}

struct RangeWalk {
    const GuestMemory& mem;
    uint64_t lo, hi;  // hi > lo; inclusive end is hi - 1
    uint64_t budget;  // table entries still to visit
    std::vector<MappedRange> out;

    void emit(uint64_t start, uint64_t span, bool u, bool w, bool x) {
        uint64_t first = std::max(start, lo);
        uint64_t last = std::min(start + (span - 1), hi - 1);  // inclusive: the top page ends at 2^64
        if (first > last) return;
        if (!out.empty()) {
            auto& prev = out.back();
            if (prev.end == first && prev.user == u && prev.writable == w && prev.executable == x) {
                prev.end = last + 1;
                return;
            }
        }
        out.push_back({first, last + 1, u, w, x});
    }

    // Walk the table at `table` (level 4..1) whose first entry maps the canonical address `base`.
    void walk(uint64_t table, int level, uint64_t base, bool u, bool w, bool x) {
        uint64_t span = level_span(level);
        // Only the entries that intersect [lo, hi); the PML4 splits into two canonical halves.
        for (unsigned i = 0; i < 512; ++i) {
            uint64_t start = base + i * span;
            if (level == 4 && i >= 256) start |= 0xffff000000000000ull;  // sign-extend bit 47
            if (start + (span - 1) < lo) continue;
            if (start > hi - 1) break;
            if (budget == 0) return;
            --budget;
            auto e = read_entry(mem, table, i);
            if (!e || !(*e & kPtePresent) || is_reserved_large(*e, level)) continue;
            bool eu = u && (*e & kPteUser), ew = w && (*e & kPteWrite), ex = x && !(*e & kPteNx);
            if (is_leaf(*e, level))
                emit(start, span, eu, ew, ex);
            else
                walk(pte_addr(*e), level - 1, start, eu, ew, ex);
        }
    }
};

}  // namespace

std::optional<Translation> translate(const GuestMemory& mem, uint64_t cr3, uint64_t va) {
    if (!is_canonical(va)) return std::nullopt;
    uint64_t table = cr3_table(cr3);
    bool user = true, writable = true, executable = true;
    for (int level = 4; level >= 1; --level) {
        auto e = read_entry(mem, table, pt_index(va, level));
        if (!e || !(*e & kPtePresent) || is_reserved_large(*e, level)) return std::nullopt;
        user = user && (*e & kPteUser);
        writable = writable && (*e & kPteWrite);
        executable = executable && !(*e & kPteNx);
        if (is_leaf(*e, level)) {
            uint64_t size = level_span(level);
            // For large pages the low address bits of the entry hold PAT, not address.
            uint64_t frame = pte_addr(*e) & ~(size - 1);
            return Translation{frame | (va & (size - 1)), size, user, writable, executable, level};
        }
        table = pte_addr(*e);
    }
    return std::nullopt;  // unreachable: level 1 is always a leaf
}

std::optional<std::vector<uint8_t>> read_virtual(const GuestMemory& mem, uint64_t cr3, uint64_t va, uint64_t len,
                                                 Access access) {
    std::vector<uint8_t> out;
    bool ok = for_each_chunk(mem, cr3, va, len, access, [&](std::span<const uint8_t> s) {
        out.insert(out.end(), s.begin(), s.end());
        return true;
    });
    if (!ok) return std::nullopt;
    return out;
}

std::optional<std::string> read_virtual_string(const GuestMemory& mem, uint64_t cr3, uint64_t va, uint64_t max_len,
                                               Access access) {
    std::string out;
    // Stop at the NUL before translating the next page: it need not be mapped.
    bool ok = for_each_chunk(mem, cr3, va, max_len, access, [&](std::span<const uint8_t> s) {
        auto nul = std::find(s.begin(), s.end(), uint8_t(0));
        out.append(s.begin(), nul);
        return nul == s.end();
    });
    if (!ok) return std::nullopt;
    return out;
}

std::vector<MappedRange> mapped_ranges(const GuestMemory& mem, uint64_t cr3, uint64_t va_lo, uint64_t va_hi,
                                       uint64_t max_entries) {
    if (va_hi <= va_lo) return {};
    RangeWalk w{mem, va_lo, va_hi, max_entries, {}};
    w.walk(cr3_table(cr3), 4, 0, true, true, true);
    return std::move(w.out);
}

std::optional<std::vector<uint8_t>> read_linear_prefix(const GuestMemory& mem, uint64_t cr0, uint64_t cr3, uint64_t va,
                                                       uint64_t max_len, Access access) {
    constexpr uint64_t kCr0Pg = 1ull << 31;
    if (va != 0) max_len = std::min(max_len, 0 - va);  // never wrap around the address space
    std::vector<uint8_t> out;
    if (!(cr0 & kCr0Pg)) {
        if (va >= mem.size()) return std::nullopt;
        auto s = mem.span(va, std::min(max_len, mem.size() - va));
        out.assign(s.begin(), s.end());
    } else {
        for_each_chunk(mem, cr3, va, max_len, access, [&](std::span<const uint8_t> s) {
            out.insert(out.end(), s.begin(), s.end());
            return true;
        });
    }
    if (out.empty()) return std::nullopt;
    return out;
}

std::vector<MappedRun> periodic_runs(const std::vector<MappedRange>& ranges, size_t min_repeat) {
    auto same_kind = [](const MappedRange& a, const MappedRange& b) {
        return a.end - a.start == b.end - b.start && a.user == b.user && a.writable == b.writable &&
               a.executable == b.executable;
    };
    std::vector<MappedRun> runs;
    for (size_t i = 0; i < ranges.size();) {
        size_t j = i + 1;
        if (j < ranges.size() && same_kind(ranges[i], ranges[j])) {
            const uint64_t stride = ranges[j].start - ranges[i].start;
            while (j < ranges.size() && same_kind(ranges[i], ranges[j]) && ranges[j].start - ranges[j - 1].start == stride)
                ++j;
            if (j - i >= min_repeat) {
                runs.push_back({ranges[i], j - i, stride});
                i = j;
                continue;
            }
        }
        runs.push_back({ranges[i], 1, 0});
        ++i;
    }
    return runs;
}

}  // namespace lstar
