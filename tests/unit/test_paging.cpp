#include <doctest/doctest.h>

#include <chrono>
#include <cstring>
#include <string>

#include "boot_protocol.hpp"
#include "memory/guest_memory.hpp"
#include "memory/page_table_builder.hpp"
#include "memory/page_walk.hpp"
#include "x86/paging.hpp"

using namespace lstar;
using namespace lstar::x86;

namespace {

constexpr uint64_t kMiB = 1ull << 20, kGiB = 1ull << 30;
constexpr uint64_t kP = kPtePresent, kW = kPteWrite, kU = kPteUser;

// Hand-built 4-level tables in a small guest: PML4 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000,
// all upper levels P|W|U, so the PTE decides. va 0x400000 is PML4[0] PDPT[0] PD[2] PT[0].
struct HandTables {
    GuestMemory mem{1 * kMiB};
    static constexpr uint64_t cr3 = 0x1000;
    HandTables() {
        mem.write<uint64_t>(0x1000, pte(0x2000, kP | kW | kU));
        mem.write<uint64_t>(0x2000, pte(0x3000, kP | kW | kU));
        mem.write<uint64_t>(0x3000 + 2 * 8, pte(0x4000, kP | kW | kU));
    }
    void map_4k(unsigned pt_slot, uint64_t phys, uint64_t flags) { mem.write<uint64_t>(0x4000 + pt_slot * 8, pte(phys, flags)); }
};

}  // namespace

TEST_CASE("boot page tables: kernel map and direct map") {
    GuestMemory mem(128 * kMiB);
    auto pt = build_boot_page_tables(mem, mem.size());
    CHECK(pt.pml4_phys == boot::kPageTablesPhys);
    CHECK(pt.pages_used == 5);  // PML4, PDPT + PD for each map

    auto k = translate(mem, pt.pml4_phys, boot::kStartKernelMap + 0x123456);
    REQUIRE(k);
    CHECK(k->gpa == 0x123456);
    CHECK(k->page_size == kLargePageSize);
    CHECK(k->level == 2);
    CHECK_FALSE(k->user);
    CHECK(k->writable);
    CHECK(k->executable);

    auto d = translate(mem, pt.pml4_phys, boot::kPageOffset + 0x7fff123);
    REQUIRE(d);
    CHECK(d->gpa == 0x7fff123);
    CHECK_FALSE(d->executable);
    CHECK_FALSE(d->user);
    CHECK(d->writable);

    // Global on the leaves, NX only on the direct map.
    uint64_t pde = mem.read<uint64_t>(pte_addr(mem.read<uint64_t>(pte_addr(
        mem.read<uint64_t>(pt.pml4_phys + pt_index(boot::kPageOffset, 4) * 8)))));
    CHECK((pde & (kPteGlobal | kPteLarge | kPteNx | kPtePresent | kPteWrite)) == (kPteGlobal | kPteLarge | kPteNx | kP | kW));

    // Nothing past RAM, nothing in the lower half, nothing non-canonical.
    CHECK_FALSE(translate(mem, pt.pml4_phys, boot::kPageOffset + 128 * kMiB));
    CHECK_FALSE(translate(mem, pt.pml4_phys, boot::kStartKernelMap + 128 * kMiB));
    CHECK_FALSE(translate(mem, pt.pml4_phys, 0x400000));
    CHECK_FALSE(translate(mem, pt.pml4_phys, 0));
    CHECK_FALSE(translate(mem, pt.pml4_phys, 0x0000800000000000ull));

    // PCID bits and the no-flush bit of CR3 are not part of the table address.
    auto p = translate(mem, pt.pml4_phys | 0x5 | kCr3NoFlush, boot::kStartKernelMap + 0x1000);
    REQUIRE(p);
    CHECK(p->gpa == 0x1000);
}

TEST_CASE("boot page tables: RAM rounded up to 2 MiB, kernel map capped at 1 GiB, table budget") {
    GuestMemory mem(129 * kMiB);
    auto pt = build_boot_page_tables(mem, mem.size());
    CHECK(translate(mem, pt.pml4_phys, boot::kPageOffset + 129 * kMiB + 0x1000));
    CHECK_FALSE(translate(mem, pt.pml4_phys, boot::kPageOffset + 130 * kMiB));

    // The tables live in low memory; only ram_bytes decides their size.
    GuestMemory small(1 * kMiB);
    auto big = build_boot_page_tables(small, 12 * kGiB);  // 4 + 12 pages: exactly the budget
    CHECK(big.pages_used == boot::kPageTablesMax);
    CHECK(translate(small, big.pml4_phys, boot::kPageOffset + 12 * kGiB - 1));
    CHECK(translate(small, big.pml4_phys, boot::kStartKernelMap + kGiB - 1));
    CHECK_FALSE(translate(small, big.pml4_phys, boot::kStartKernelMap + kGiB));  // the last 1 GiB of VA ends there anyway
    CHECK_THROWS_AS(build_boot_page_tables(small, 13 * kGiB), std::runtime_error);
}

TEST_CASE("4 KiB pages written by hand: effective permissions") {
    HandTables t;
    t.map_4k(0, 0x10000, kP | kW | kU);
    t.map_4k(1, 0x20000, kP | kU | kPteNx);
    t.map_4k(2, 0x30000, kP | kW);  // supervisor

    auto a = translate(t.mem, t.cr3, 0x400abc);
    REQUIRE(a);
    CHECK(a->gpa == 0x10abc);
    CHECK(a->page_size == kPageSize);
    CHECK(a->level == 1);
    CHECK((a->user && a->writable && a->executable));

    auto b = translate(t.mem, t.cr3, 0x401000);
    REQUIRE(b);
    CHECK((b->user && !b->writable && !b->executable));

    auto c = translate(t.mem, t.cr3, 0x402000);
    REQUIRE(c);
    CHECK((!c->user && c->writable));

    CHECK_FALSE(translate(t.mem, t.cr3, 0x403000));  // not present

    // Upper levels restrict: clear U and W in the PDE, set NX in the PML4E.
    t.mem.write<uint64_t>(0x3000 + 2 * 8, pte(0x4000, kP));
    t.mem.write<uint64_t>(0x1000, pte(0x2000, kP | kW | kU | kPteNx));
    auto r = translate(t.mem, t.cr3, 0x400000);
    REQUIRE(r);
    CHECK((!r->user && !r->writable && !r->executable));
}

TEST_CASE("large pages in a hand-built PD and PDPT") {
    HandTables t;
    t.mem.write<uint64_t>(0x3000 + 3 * 8, pte(0xa00000 | 0x1000 /* PAT bit, not address */, kP | kW | kPteLarge));
    auto m2 = translate(t.mem, t.cr3, 0x612345);
    REQUIRE(m2);
    CHECK(m2->gpa == 0xa12345);
    CHECK(m2->page_size == 2 * kMiB);

    t.mem.write<uint64_t>(0x2000 + 1 * 8, pte(0x40000000, kP | kPteLarge));
    auto g1 = translate(t.mem, t.cr3, kGiB + 0x1234567);
    REQUIRE(g1);
    CHECK(g1->gpa == kGiB + 0x1234567);  // beyond RAM: translation is still an answer, reading is not
    CHECK(g1->level == 3);
    CHECK(g1->page_size == kGiB);
    CHECK_FALSE(read_virtual(t.mem, t.cr3, kGiB, 1));

    t.mem.write<uint64_t>(0x1000 + 8, pte(0x2000, kP | kPteLarge));  // PS in a PML4E is reserved
    CHECK_FALSE(translate(t.mem, t.cr3, 1ull << 39));
}

TEST_CASE("hostile tables: outside RAM and cycles") {
    HandTables t;
    // A PML4 entry whose table is past the end of RAM, and a CR3 that is.
    t.mem.write<uint64_t>(0x1000 + 8, pte(0xfffff000000ull, kP | kW));
    CHECK_FALSE(translate(t.mem, t.cr3, 1ull << 39));
    t.mem.write<uint64_t>(0x2000 + 8, pte(t.mem.size(), kP | kW));  // table starts exactly at the end
    CHECK_FALSE(translate(t.mem, t.cr3, kGiB));
    CHECK_FALSE(translate(t.mem, 0x7fff0000000ull, 0));
    CHECK(mapped_ranges(t.mem, 0x7fff0000000ull, 0, ~0ull).empty());

    // Every PML4 entry points back at the PML4: a walk ends after four levels.
    GuestMemory mem(64 * 1024);
    for (unsigned i = 0; i < 512; ++i) mem.write<uint64_t>(0x1000 + i * 8, pte(0x1000, kP | kW));
    auto self = translate(mem, 0x1000, 0xffffffff80000000ull);
    REQUIRE(self);
    CHECK(self->gpa == 0x1000);
    auto start = std::chrono::steady_clock::now();
    auto ranges = mapped_ranges(mem, 0x1000, 0, ~0ull);  // 512^4 leaves: must give up, not hang
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    CHECK(!ranges.empty());
}

TEST_CASE("read_virtual crosses pages and honours Access::User") {
    HandTables t;
    t.map_4k(0, 0x20000, kP | kW | kU);
    t.map_4k(1, 0x10000, kP | kW | kU);  // physically below the first page
    t.map_4k(2, 0x30000, kP | kW);       // supervisor
    t.mem.write_bytes(0x20ffc, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("lsta"), 4));
    t.mem.write_bytes(0x10000, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("r!\0"), 3));

    auto bytes = read_virtual(t.mem, t.cr3, 0x400ffc, 6);
    REQUIRE(bytes);
    CHECK(std::string(bytes->begin(), bytes->end()) == "lstar!");
    CHECK(read_virtual(t.mem, t.cr3, 0x400ffc, 6, Access::User));

    // The user read fails as soon as it reaches the supervisor page.
    CHECK(read_virtual(t.mem, t.cr3, 0x401ff0, 0x20, Access::Kernel));
    CHECK_FALSE(read_virtual(t.mem, t.cr3, 0x401ff0, 0x20, Access::User));
    CHECK_FALSE(read_virtual(t.mem, t.cr3, 0x402ff0, 0x20));  // runs into the unmapped page
    CHECK(read_virtual(t.mem, t.cr3, 0x403000, 0)->empty());
    CHECK_FALSE(read_virtual(t.mem, t.cr3, ~0ull - 1, 4));  // wraps

    auto s = read_virtual_string(t.mem, t.cr3, 0x400ffc, 64);
    REQUIRE(s);
    CHECK(*s == "lstar!");
    CHECK(*read_virtual_string(t.mem, t.cr3, 0x400ffc, 3) == "lst");  // the limit
    // A string whose NUL is the last byte before an unmapped page.
    t.mem.write_bytes(0x30ffd, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("ok\0"), 3));
    CHECK(*read_virtual_string(t.mem, t.cr3, 0x402ffd, 4096) == "ok");
    CHECK_FALSE(read_virtual_string(t.mem, t.cr3, 0x402ffd, 4096, Access::User));
    t.mem.write<uint8_t>(0x30fff, 'k');
    CHECK_FALSE(read_virtual_string(t.mem, t.cr3, 0x402ffd, 4096));  // no NUL before the hole

    // The boot tables map the kernel supervisor-only.
    GuestMemory mem(16 * kMiB);
    auto pt = build_boot_page_tables(mem, mem.size());
    mem.write<uint64_t>(0x1ffffc, 0x1122334455667788ull);  // across the 2 MiB boundary
    auto k = read_virtual(mem, pt.pml4_phys, boot::kStartKernelMap + 0x1ffffc, 8);
    REQUIRE(k);
    uint64_t v;
    std::memcpy(&v, k->data(), 8);
    CHECK(v == 0x1122334455667788ull);
    CHECK_FALSE(read_virtual(mem, pt.pml4_phys, boot::kStartKernelMap + 0x1ffffc, 8, Access::User));
}

TEST_CASE("read_linear_prefix: the readable start of a range, page by page, or physical with paging off") {
    HandTables t;
    constexpr uint64_t kPaging = 1ull << 31;
    t.map_4k(0, 0x20000, kP | kW | kU);
    t.map_4k(1, 0x30000, kP | kW);  // supervisor; PT slot 2 is unmapped
    t.mem.write_bytes(0x20ffe, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("ab"), 2));

    auto k = read_linear_prefix(t.mem, kPaging, t.cr3, 0x400ffe, 15);
    REQUIRE(k);
    CHECK(k->size() == 15);  // both pages are readable by the kernel
    auto u = read_linear_prefix(t.mem, kPaging, t.cr3, 0x400ffe, 15, Access::User);
    REQUIRE(u);
    CHECK(std::string(u->begin(), u->end()) == "ab");  // stops at the supervisor page
    auto hole = read_linear_prefix(t.mem, kPaging, t.cr3, 0x401ffc, 15);
    REQUIRE(hole);
    CHECK(hole->size() == 4);  // stops at the unmapped page
    CHECK_FALSE(read_linear_prefix(t.mem, kPaging, t.cr3, 0x402000, 15));
    CHECK_FALSE(read_linear_prefix(t.mem, kPaging, t.cr3, ~0ull - 1, 15));  // the top is not mapped; no wrap

    // Paging off: linear == physical, cut at the end of RAM.
    auto phys = read_linear_prefix(t.mem, 0, 0, 0x20ffe, 2);
    REQUIRE(phys);
    CHECK(std::string(phys->begin(), phys->end()) == "ab");
    CHECK(read_linear_prefix(t.mem, 0, 0, t.mem.size() - 3, 15)->size() == 3);
    CHECK_FALSE(read_linear_prefix(t.mem, 0, 0, t.mem.size(), 15));
}

TEST_CASE("mapped_ranges over the whole address space") {
    GuestMemory mem(128 * kMiB);
    auto pt = build_boot_page_tables(mem, mem.size());
    auto start = std::chrono::steady_clock::now();
    auto r = mapped_ranges(mem, pt.pml4_phys, 0, ~0ull);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(100));
    REQUIRE(r.size() == 2);
    CHECK(r[0].start == boot::kPageOffset);  // the direct map sits below the kernel map
    CHECK(r[0].end == boot::kPageOffset + 128 * kMiB);
    CHECK((!r[0].user && r[0].writable && !r[0].executable));
    CHECK(r[1].start == boot::kStartKernelMap);
    CHECK(r[1].end == boot::kStartKernelMap + 128 * kMiB);
    CHECK((!r[1].user && r[1].writable && r[1].executable));

    // Clipped to the requested window; an empty window is empty.
    auto w = mapped_ranges(mem, pt.pml4_phys, boot::kStartKernelMap + 0x1234, boot::kStartKernelMap + 0x5000);
    REQUIRE(w.size() == 1);
    CHECK(w[0].start == boot::kStartKernelMap + 0x1234);
    CHECK(w[0].end == boot::kStartKernelMap + 0x5000);
    CHECK(mapped_ranges(mem, pt.pml4_phys, 0, 0x0000800000000000ull).empty());
    CHECK(mapped_ranges(mem, pt.pml4_phys, 5, 5).empty());
}

TEST_CASE("mapped_ranges merges only runs with equal permissions") {
    HandTables t;
    t.map_4k(0, 0x10000, kP | kW | kU);
    t.map_4k(1, 0x50000, kP | kW | kU);  // physically discontiguous but same permissions: merged
    t.map_4k(2, 0x20000, kP | kU);       // read-only
    for (unsigned i = 4; i < 512; ++i) t.map_4k(i, 0x30000, kP | kU);  // after a one-page hole, to the PT's end
    t.mem.write<uint64_t>(0x3000 + 3 * 8, pte(0x200000, kP | kU | kPteLarge));  // 2 MiB read-only right after: merged
    auto r = mapped_ranges(t.mem, t.cr3, 0, ~0ull);
    REQUIRE(r.size() == 3);
    CHECK(r[0].start == 0x400000);
    CHECK(r[0].end == 0x402000);
    CHECK(r[0].writable);
    CHECK(r[1].start == 0x402000);
    CHECK(r[1].end == 0x403000);
    CHECK_FALSE(r[1].writable);
    CHECK(r[2].start == 0x404000);
    CHECK(r[2].end == 0x800000);
    CHECK((r[2].user && !r[2].writable && r[2].executable));
}

TEST_CASE("periodic_runs: a range repeated at a fixed distance (Linux's espfix) becomes one run; others stay") {
    std::vector<MappedRange> r;
    r.push_back({0xfffffe0000000000, 0xfffffe0000002000, false, false, false});  // cpu_entry_area: alone
    for (uint64_t i = 0; i < 100; ++i)
        r.push_back({0xffffff0000000000 + i * 0x10000, 0xffffff0000001000 + i * 0x10000, false, false, false});
    r.push_back({0xffffff0000640000, 0xffffff0000641000, false, true, false});  // same size, other permissions
    for (uint64_t i = 0; i < 3; ++i)  // too few to be a run
        r.push_back({0xffffffff81000000 + i * 0x2000, 0xffffffff81001000 + i * 0x2000, false, false, true});
    auto runs = periodic_runs(r);
    REQUIRE(runs.size() == 6);
    CHECK(runs[0].count == 1);
    CHECK(runs[1].count == 100);
    CHECK(runs[1].stride == 0x10000);
    CHECK(runs[1].first.start == 0xffffff0000000000);
    CHECK(runs[1].last_end() == 0xffffff0000631000);
    CHECK(runs[2].count == 1);
    CHECK(runs[2].first.writable);
    CHECK(runs[3].count == 1);
    CHECK(runs[5].first.start == 0xffffffff81004000);
    CHECK(periodic_runs({}).empty());
}
