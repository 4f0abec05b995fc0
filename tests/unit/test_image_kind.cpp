// Image-kind detection and the foreign boot plan: pure functions of bytes, no /dev/kvm.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "boot/foreign_boot.hpp"
#include "boot/image_kind.hpp"
#include "multiboot.hpp"

using namespace lstar;

namespace {

void put32(std::vector<uint8_t>& f, size_t off, uint32_t v) {
    if (f.size() < off + 4) f.resize(off + 4);
    std::memcpy(f.data() + off, &v, 4);
}

// A multiboot header at off; with address fields when aout.
std::vector<uint8_t> with_header(size_t off, uint32_t flags, size_t file_size = 0x3000) {
    std::vector<uint8_t> f(file_size, 0x90);
    put32(f, off, multiboot::kHeaderMagic);
    put32(f, off + 4, flags);
    put32(f, off + 8, uint32_t(-(multiboot::kHeaderMagic + flags)));
    return f;
}


}  // namespace

TEST_CASE("the multiboot header: found 4-byte aligned in the first 8 KiB, with a valid checksum") {
    auto f = with_header(0x40, 0x3);
    auto h = find_multiboot_header(f);
    REQUIRE(h);
    CHECK(h->offset == 0x40);
    CHECK(h->header.flags == 0x3);
    CHECK(!h->aout_kludge());
    CHECK(!find_multiboot_header(with_header(0x2000, 0x3, 0x3000)));  // past 8 KiB
    CHECK(find_multiboot_header(with_header(0x1ff4, 0x3, 0x3000)));   // the last place that fits
    auto bad = with_header(0x40, 0x3);
    put32(bad, 0x48, 0);  // wrong checksum: skipped, as GRUB does
    CHECK(!find_multiboot_header(bad));
    put32(bad, 0x100, multiboot::kHeaderMagic);  // a second, valid one later is found
    put32(bad, 0x104, 0);
    put32(bad, 0x108, uint32_t(-multiboot::kHeaderMagic));
    CHECK(find_multiboot_header(bad)->offset == 0x100);
    auto unaligned = with_header(0x42, 0x3);
    CHECK(!find_multiboot_header(unaligned));
    CHECK(!find_multiboot_header(std::vector<uint8_t>{}));
    CHECK(!find_multiboot_header(std::vector<uint8_t>(8, 0)));
}

TEST_CASE("multiboot requirement flags lstar does not know are refused by name") {
    CHECK(!multiboot_flags_unsupported(0x00010007));
    CHECK(multiboot_flags_unsupported(0x8)->find("0x8") != std::string::npos);
    CHECK(!multiboot_flags_unsupported(0x80000000));  // bits 16-31 are optional
}

TEST_CASE("multiboot address fields: where the file goes, and every inconsistent field named") {
    auto f = with_header(0x10, multiboot::kAoutKludge | 3, 0x1000);
    auto set = [&](uint32_t header_addr, uint32_t load, uint32_t load_end, uint32_t bss_end, uint32_t entry) {
        put32(f, 0x1c, header_addr), put32(f, 0x20, load), put32(f, 0x24, load_end), put32(f, 0x28, bss_end);
        put32(f, 0x2c, entry);
        return *find_multiboot_header(f);
    };
    auto r = plan_aout_load(set(0x100010, 0x100000, 0, 0x102000, 0x100040), f.size());
    CHECK(r.file_offset == 0);
    CHECK(r.phys == 0x100000);
    CHECK(r.filesz == 0x1000);  // load_end_addr 0: the rest of the file
    CHECK(r.memsz == 0x2000);
    CHECK(r.entry == 0x100040);
    r = plan_aout_load(set(0x200010, 0x200008, 0x200100, 0, 0x200008), f.size());
    CHECK(r.file_offset == 8);
    CHECK(r.filesz == 0xf8);
    CHECK(r.memsz == 0xf8);  // bss_end_addr 0: no bss
    auto why = [&](uint32_t h, uint32_t l, uint32_t le, uint32_t be, uint32_t e) {
        try {
            plan_aout_load(set(h, l, le, be, e), f.size());
        } catch (const BadImage& x) {
            return std::string(x.what());
        }
        return std::string("accepted");
    };
    CHECK(why(0x100000, 0x100010, 0, 0, 0x100010).find("below load_addr") != std::string::npos);
    CHECK(why(0x100010, 0x0f0000, 0, 0, 0x100010).find("before the file") != std::string::npos);
    CHECK(why(0x100010, 0x100000, 0x200000, 0, 0x100010).find("the file has") != std::string::npos);
    CHECK(why(0x100010, 0x100000, 0x100800, 0x100400, 0x100010).find("bss_end_addr") != std::string::npos);
    CHECK(why(0x100010, 0x100000, 0x100800, 0, 0x100900).find("entry_addr") != std::string::npos);
}

TEST_CASE("the PVH and lstar notes") {
    std::vector<ElfNote> notes = {{"GNU", 3, {1, 2, 3, 4}}, {"Xen", 18, {0x12, 0x00, 0x20, 0x00}}};
    CHECK(pvh_entry_note(notes) == 0x200012);
    notes[1].desc = {0x12, 0, 0x20, 0, 0, 0, 0, 0};
    CHECK(pvh_entry_note(notes) == 0x200012);
    notes[1].desc = {1, 2, 3};  // neither 4 nor 8 bytes
    CHECK(!pvh_entry_note(notes));
    CHECK(!lstar_note(notes));
    notes.push_back({"lstar", 0x4c53, {1, 0, 0, 0}});
    CHECK(lstar_note(notes) == 1u);
}

TEST_CASE("which protocol: auto prefers lstar's note, then multiboot (as QEMU), then PVH; --boot forces one") {
    ImageFacts ours{true, false, std::nullopt, 1u, 0x200012, std::nullopt, false, std::nullopt, std::nullopt};
    CHECK(choose_protocol(ours, BootRequest::Auto, false) == Protocol::Lstar64);
    CHECK(choose_protocol(ours, BootRequest::Pvh, false) == Protocol::Pvh);
    CHECK(choose_protocol(ours, BootRequest::Auto, true) == Protocol::LstarPvh);
    CHECK_THROWS_WITH_AS(choose_protocol(ours, BootRequest::Multiboot, false), doctest::Contains("no multiboot header"),
                         BadImage);
    ImageFacts both{true, true, std::nullopt, std::nullopt, 0x100000, MultibootHeaderAt{0x1000, {}}, false, std::nullopt, std::nullopt};
    CHECK(choose_protocol(both, BootRequest::Auto, false) == Protocol::Multiboot);
    CHECK(choose_protocol(both, BootRequest::Pvh, false) == Protocol::Pvh);
    CHECK_THROWS_WITH_AS(choose_protocol(both, BootRequest::Lstar, false), doctest::Contains("no \"lstar\" ELF note"),
                         BadImage);
    ImageFacts flat{false, false, std::nullopt, std::nullopt, std::nullopt, MultibootHeaderAt{0, {}}, false, std::nullopt, std::nullopt};
    CHECK_THROWS_WITH_AS(choose_protocol(flat, BootRequest::Auto, false), doctest::Contains("not an ELF file"),
                         BadImage);
    flat.multiboot->header.flags = multiboot::kAoutKludge;
    CHECK(choose_protocol(flat, BootRequest::Auto, false) == Protocol::Multiboot);
    ImageFacts none{true, false, std::nullopt, std::nullopt, std::nullopt, std::nullopt, false, std::nullopt, std::nullopt};
    CHECK_THROWS_WITH_AS(choose_protocol(none, BootRequest::Auto, false), doctest::Contains("none of the boot protocols"),
                         BadImage);
    CHECK(std::string(protocol_name(Protocol::Multiboot)) == "multiboot");
}

TEST_CASE("inspect_image never throws: a broken ELF is a reason, a non-ELF a flat image") {
    std::vector<uint8_t> junk = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    auto f = inspect_image(junk);
    CHECK(f.elf);
    CHECK(f.elf_error->find("truncated") != std::string::npos);
    f = inspect_image(with_header(0, multiboot::kAoutKludge));
    CHECK(!f.elf);
    CHECK(f.multiboot);
}

TEST_CASE("foreign boot data: never page 0 nor the real-mode areas; the memory map says what is RAM") {
    std::vector<BootModule> mods = {{"a", std::vector<uint8_t>(5000, 1)}, {"bb", std::vector<uint8_t>(10, 2)}};
    auto p = plan_boot_data(64 << 20, 0x123456, "console=ttyS0", mods);
    for (uint64_t a : {bootdata::kInfoPhys, bootdata::kMemmapPhys, bootdata::kModlistPhys, bootdata::kCmdlinePhys,
                       bootdata::kModCmdlinePhys, bootdata::kLoaderNamePhys}) {
        CHECK(a >= 0x1000);  // not page 0 (IVT, BIOS data area)
        CHECK(a < 0x7000);   // below the boot sector at 0x7c00, far from the EBDA and the VGA/ROM hole
    }
    REQUIRE(p.memmap.size() == 3);
    CHECK(p.memmap[0].addr == 0);
    CHECK(p.memmap[0].size == 0x9fc00);
    CHECK(p.memmap[0].type == pvh::kMemmapRam);
    CHECK(p.memmap[1].type == pvh::kMemmapReserved);
    CHECK(p.memmap[2].addr == 0x100000);
    CHECK(p.memmap[2].addr + p.memmap[2].size == 64 << 20);
    REQUIRE(p.modules.size() == 2);
    CHECK(p.modules[0].phys == 0x124000);  // page-aligned after the kernel
    CHECK(p.modules[1].phys == 0x126000);
    CHECK(p.modules[0].cmdline_phys == bootdata::kModCmdlinePhys);
    CHECK(p.modules[1].cmdline_phys == bootdata::kModCmdlinePhys + 2);
    CHECK(p.end == 0x127000);
    CHECK_THROWS_WITH_AS(plan_boot_data(4ull << 30, 0x200000, "", {}), doctest::Contains("at most 3072 MiB"),
                         UsageError);
    CHECK_THROWS_WITH_AS(plan_boot_data(2 << 20, 0x1ff000, "", {{"big", std::vector<uint8_t>(0x2000)}}),
                         doctest::Contains("does not fit"), UsageError);
    CHECK_THROWS_WITH_AS(plan_boot_data(64 << 20, 0x200000, std::string(5000, 'x'), {}),
                         doctest::Contains("at most 4095"), UsageError);
}

namespace {
std::vector<uint8_t> seed(const char* name) {  // committed copies of the built foreign test kernels
    std::ifstream in(std::string(LSTAR_SOURCE_ROOT) + "/tests/fuzz/corpus/fuzz_boot_image/" + name, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}
}  // namespace

TEST_CASE("real images: an ELF32 multiboot kernel, an ELF32 PVH kernel, an ELF64 multiboot kernel") {
    auto mb = seed("mb_hello_elf");
    REQUIRE(!mb.empty());
    auto e = parse_elf(mb);  // ELF32 widened: segments, symbols
    CHECK(e.elf32);
    CHECK(e.entry == 0x10000c);
    REQUIRE(e.segments.size() == 1);
    CHECK(e.segments[0].paddr == 0x100000);
    bool has_start = false;
    for (auto& s : e.symbols) has_start |= s.name == "_start" && s.value == 0x10000c;
    CHECK(has_start);
    CHECK_THROWS_WITH_AS(parse_elf64(mb), doctest::Contains("ELFCLASS32"), ElfError);
    auto f = inspect_image(mb);
    CHECK(f.elf32);
    REQUIRE(f.multiboot);
    CHECK(f.multiboot->offset == 0x1000);
    CHECK(!f.pvh_entry);
    CHECK(choose_protocol(f, BootRequest::Auto, false) == Protocol::Multiboot);
    CHECK(describe_image(f, Protocol::Multiboot).find("an ELF32 image loaded by its ELF32 program headers") !=
          std::string::npos);

    f = inspect_image(seed("pvh_hello_elf"));
    CHECK(f.pvh_entry == 0x100000);
    CHECK(!f.multiboot);
    CHECK(choose_protocol(f, BootRequest::Auto, false) == Protocol::Pvh);

    f = inspect_image(seed("mb_hello64_elf"));
    CHECK(f.elf);
    CHECK(!f.elf32);
    CHECK(f.multiboot);
    CHECK(choose_protocol(f, BootRequest::Auto, false) == Protocol::Multiboot);
}
