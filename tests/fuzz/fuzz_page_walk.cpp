// libFuzzer target: the guest page-table walker (vmm/memory/page_walk.cpp) over random guest memory.
// Page tables live in guest RAM and the guest writes them, so every entry is hostile: tables outside
// RAM, loops, large pages with reserved bits, addresses that wrap.
//
// Input layout (little-endian), then the contents of a 64 KiB guest RAM from guest-physical 0:
//   u64 cr3, u64 va, u16 len, u8 flags, u64 va_lo, u64 va_hi   (35 bytes)
// flags bit 0: Access::User for read_virtual*; bit 1: CR0.PG clear for read_linear.
//
// Checked beyond "no crash": translate keeps the page offset and reports a consistent level; what
// read_virtual returns is the bytes translate finds (sampled: page edges, the ends, a stride); a string has no NUL and
// respects its limit; mapped_ranges are sorted, disjoint, inside [va_lo, va_hi), and each starts
// and ends on an address translate agrees with.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "memory/guest_memory.hpp"
#include "memory/page_walk.hpp"

using namespace lstar;

namespace {

constexpr uint64_t kRam = 64 * 1024;
constexpr size_t kHeader = 35;

template <class T>
T take(const uint8_t*& p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    p += sizeof v;
    return v;
}

// An invariant that does not hold: say which, then abort (libFuzzer saves the input).
#define check(ok)                                                                           \
    do {                                                                                    \
        if (!(ok)) {                                                                        \
            std::fprintf(stderr, "fuzz_page_walk.cpp:%d: invariant failed: %s\n", __LINE__, #ok); \
            std::abort();                                                                   \
        }                                                                                   \
    } while (0)

bool same_perms(const Translation& t, const MappedRange& r) {
    return t.user == r.user && t.writable == r.writable && t.executable == r.executable;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static GuestMemory mem(kRam);
    if (size < kHeader) return 0;
    const uint8_t* p = data;
    uint64_t cr3 = take<uint64_t>(p), va = take<uint64_t>(p);
    uint16_t len = take<uint16_t>(p);
    uint8_t flags = take<uint8_t>(p);
    uint64_t va_lo = take<uint64_t>(p), va_hi = take<uint64_t>(p);
    Access access = (flags & 1) ? Access::User : Access::Kernel;

    std::memset(mem.host_base(), 0, kRam);
    std::memcpy(mem.host_base(), data + kHeader, std::min<size_t>(size - kHeader, kRam));

    if (auto t = translate(mem, cr3, va)) {
        check(t->page_size == (1ull << (12 + 9 * (t->level - 1))));
        check(t->level >= 1 && t->level <= 3);
        check((t->gpa & (t->page_size - 1)) == (va & (t->page_size - 1)));
    }

    if (auto bytes = read_virtual(mem, cr3, va, len, access)) {
        check(bytes->size() == len);
        for (uint64_t i = 0; i < len; ++i) {
            // Every byte would make each input cost ~10^5 walks: check the first bytes, both sides
            // of every 4 KiB boundary, the last byte, and a stride in between.
            uint64_t in_page = (va + i) & 0xfff;
            if (!(i < 64 || in_page == 0 || in_page == 0xfff || i + 1 == len || i % 251 == 0)) continue;
            auto t = translate(mem, cr3, va + i);
            check(t && mem.contains(t->gpa, 1) && (access == Access::Kernel || t->user));
            check(mem.read<uint8_t>(t->gpa) == (*bytes)[i]);
        }
    }

    if (auto s = read_virtual_string(mem, cr3, va, len, access)) {
        check(s->size() <= len);
        check(std::memchr(s->data(), 0, s->size()) == nullptr);
        if (auto raw = read_virtual(mem, cr3, va, s->size(), access))
            check(raw->size() == s->size() && (s->empty() || std::memcmp(raw->data(), s->data(), s->size()) == 0));
        else
            check(false);  // the string's bytes were readable, so reading them again must work
    }

    // The monitor's budget (2^22 entries) lets one self-referencing table cost ~10 ms here: with a
    // small one the fuzzer runs 10x more inputs, and the give-up path is covered just the same.
    // read_linear_prefix: the readable start of the range, nothing past it; with CR0.PG clear
    // (flags bit 1) linear addresses are physical.
    uint64_t cr0 = (flags & 2) ? 0 : (1ull << 31);
    if (auto lin = read_linear_prefix(mem, cr0, cr3, va, len, access)) {
        check(!lin->empty() && lin->size() <= len);
        if (!(flags & 2)) check(read_virtual(mem, cr3, va, lin->size(), access) == lin);
        else check(mem.contains(va, lin->size()) && std::memcmp(lin->data(), mem.host_base() + va, lin->size()) == 0);
    }

    auto ranges = mapped_ranges(mem, cr3, va_lo, va_hi, 1 << 14);
    for (size_t i = 0; i < ranges.size(); ++i) {
        const auto& r = ranges[i];
        check(r.start < r.end && r.start >= va_lo && r.end <= va_hi);
        if (i > 0) check(ranges[i - 1].end <= r.start);
        if (i < 64) {
            auto first = translate(mem, cr3, r.start);
            check(first && same_perms(*first, r));
            auto last = translate(mem, cr3, r.end - 1);
            check(last && same_perms(*last, r));
        }
    }
    return 0;
}
