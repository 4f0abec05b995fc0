#include <doctest/doctest.h>

#include <elf.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

#include "boot_protocol.hpp"
#include "loader/elf.hpp"
#include "memory/guest_memory.hpp"

using namespace lstar;
using doctest::Contains;

namespace {

constexpr uint64_t kRam = 4ull << 20;
constexpr uint64_t kTextPhys = 0x100000, kDataPhys = 0x200000;
constexpr uint64_t kTextVirt = boot::kStartKernelMap + kTextPhys, kDataVirt = boot::kStartKernelMap + kDataPhys;

struct Seg {
    uint64_t vaddr, paddr;
    std::vector<uint8_t> data;
    uint64_t memsz;
    uint32_t flags;
};
struct Sym {
    std::string name;
    uint64_t value, size;
    unsigned type;
};

template <class T>
void put(std::vector<uint8_t>& f, uint64_t off, const T& v) {
    if (f.size() < off + sizeof v) f.resize(off + sizeof v);
    std::memcpy(f.data() + off, &v, sizeof v);
}
template <class T>
T get(const std::vector<uint8_t>& f, uint64_t off) {
    T v;
    std::memcpy(&v, f.data() + off, sizeof v);
    return v;
}
uint64_t align8(uint64_t v) { return (v + 7) & ~7ull; }

// A minimal ELF64 x86-64 executable: header, program headers (the segments, then one PT_NOTE owned
// by "lstar"), segment data, the note, and section headers for [null, .symtab, .strtab].
std::vector<uint8_t> make_elf(const std::vector<Seg>& segs, uint64_t entry, const std::vector<Sym>& syms) {
    std::vector<uint8_t> f(sizeof(Elf64_Ehdr));
    unsigned phnum = unsigned(segs.size()) + 1;
    uint64_t off = sizeof(Elf64_Ehdr) + phnum * sizeof(Elf64_Phdr);
    f.resize(off);
    for (size_t i = 0; i < segs.size(); ++i) {
        const auto& s = segs[i];
        Elf64_Phdr ph{PT_LOAD, s.flags, off, s.vaddr, s.paddr, s.data.size(), s.memsz, 0x1000};
        put(f, sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr), ph);
        f.insert(f.end(), s.data.begin(), s.data.end());
        off = align8(f.size());
        f.resize(off);
    }
    // The note: namesz 6 ("lstar\0", padded to 8), descsz 4.
    uint64_t note_off = off;
    f.resize(off + 24);
    put(f, off, Elf64_Nhdr{6, 4, boot::kNoteType});
    std::memcpy(f.data() + off + 12, "lstar", 6);
    put<uint32_t>(f, off + 20, boot::kBootInfoVersion);
    Elf64_Phdr note{PT_NOTE, PF_R, note_off, 0, 0, 24, 24, 4};
    put(f, sizeof(Elf64_Ehdr) + segs.size() * sizeof(Elf64_Phdr), note);
    off = align8(f.size());

    std::string strtab(1, '\0');
    std::vector<Elf64_Sym> symtab(1);  // the null symbol
    for (const auto& s : syms) {
        symtab.push_back({uint32_t(strtab.size()), uint8_t(ELF64_ST_INFO(STB_GLOBAL, s.type)), 0, 1, s.value, s.size});
        strtab += s.name + '\0';
    }
    uint64_t symtab_off = off;
    for (size_t i = 0; i < symtab.size(); ++i) put(f, symtab_off + i * sizeof(Elf64_Sym), symtab[i]);
    uint64_t strtab_off = f.size();
    f.insert(f.end(), strtab.begin(), strtab.end());
    uint64_t shoff = align8(f.size());
    put(f, shoff, Elf64_Shdr{});
    put(f, shoff + sizeof(Elf64_Shdr),
        Elf64_Shdr{1, SHT_SYMTAB, 0, 0, symtab_off, symtab.size() * sizeof(Elf64_Sym), 2, 1, 8, sizeof(Elf64_Sym)});
    put(f, shoff + 2 * sizeof(Elf64_Shdr), Elf64_Shdr{9, SHT_STRTAB, 0, 0, strtab_off, strtab.size(), 0, 0, 1, 0});

    Elf64_Ehdr eh{};
    std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_entry = entry;
    eh.e_phoff = sizeof(Elf64_Ehdr);
    eh.e_shoff = shoff;
    eh.e_ehsize = sizeof(Elf64_Ehdr);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = uint16_t(phnum);
    eh.e_shentsize = sizeof(Elf64_Shdr);
    eh.e_shnum = 3;
    put(f, 0, eh);
    return f;
}

const std::vector<uint8_t> kCode = {0x0f, 0x01, 0xf8, 0x0f, 0x0b};  // swapgs; ud2
const std::vector<uint8_t> kData = {1, 2, 3, 4, 5, 6, 7, 8};

std::vector<Seg> kernel_segments() {
    return {{kTextVirt, kTextPhys, kCode, kCode.size(), PF_R | PF_X},
            {kDataVirt, kDataPhys, kData, 0x3000, PF_R | PF_W}};  // 0x3000 - 8 bytes of BSS
}
std::vector<Sym> kernel_symbols() {
    return {{"_start", kTextVirt, 5, STT_FUNC}, {"boot_data", kDataVirt, 8, STT_OBJECT}, {"__bss_start", kDataVirt + 8, 0, STT_NOTYPE}};
}
std::vector<uint8_t> valid_elf() { return make_elf(kernel_segments(), kTextVirt, kernel_symbols()); }

constexpr uint64_t phdr(unsigned i) { return sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr); }
#define PH_FIELD(i, field) (phdr(i) + offsetof(Elf64_Phdr, field))
#define EH_FIELD(field) offsetof(Elf64_Ehdr, field)

bool all_zero(const GuestMemory& mem) {
    auto s = mem.span(0, mem.size());
    return std::all_of(s.begin(), s.end(), [](uint8_t b) { return b == 0; });
}

// Parse and load into fresh RAM; the error must contain `fragment` and RAM must stay untouched.
void check_refused(const std::vector<uint8_t>& file, const std::string& fragment) {
    GuestMemory mem(kRam);
    std::string what;
    try {
        auto image = parse_elf64(file);
        load_elf(image, file, mem, boot::kLowReservedEnd);
    } catch (const ElfError& e) {
        what = e.what();
    }
    INFO("error: ", what);
    CHECK(what.find(fragment) != std::string::npos);
    CHECK(all_zero(mem));
}

// The valid image with one field overwritten must be refused with `fragment`.
template <class T>
void check_patched(uint64_t off, T value, const std::string& fragment) {
    auto f = valid_elf();
    put<T>(f, off, value);
    check_refused(f, fragment);
}

}  // namespace

TEST_CASE("a valid kernel image loads at its physical addresses") {
    auto file = valid_elf();
    auto image = parse_elf64(file);
    CHECK(image.entry == kTextVirt);
    REQUIRE(image.segments.size() == 2);
    CHECK(image.segments[1].paddr == kDataPhys);
    CHECK(image.segments[1].memsz == 0x3000);
    CHECK(image.segments[0].flags == (PF_R | PF_X));

    REQUIRE(image.notes.size() == 1);
    CHECK(image.notes[0].owner == "lstar");
    CHECK(image.notes[0].type == boot::kNoteType);
    CHECK(image.notes[0].desc == std::vector<uint8_t>{1, 0, 0, 0});

    REQUIRE(image.symbols.size() == 3);
    CHECK(image.symbols[0].name == "_start");
    CHECK(image.symbols[0].value == kTextVirt);
    CHECK(image.symbols[0].type == STT_FUNC);
    CHECK(image.symbols[1].name == "boot_data");
    CHECK(image.symbols[1].size == 8);

    GuestMemory mem(kRam);
    auto bss = mem.span(kDataPhys, 0x3000);
    std::fill(bss.begin(), bss.end(), 0xcc);  // stale contents the loader must clear
    auto k = load_elf(image, file, mem, boot::kLowReservedEnd);
    CHECK(k.entry == kTextVirt);
    CHECK(k.phys_start == kTextPhys);
    CHECK(k.phys_end == kDataPhys + 0x3000);
    CHECK(std::equal(kCode.begin(), kCode.end(), mem.span(kTextPhys, kCode.size()).begin()));
    CHECK(std::equal(kData.begin(), kData.end(), mem.span(kDataPhys, kData.size()).begin()));
    auto zeroed = mem.span(kDataPhys + kData.size(), 0x3000 - kData.size());
    CHECK(std::all_of(zeroed.begin(), zeroed.end(), [](uint8_t b) { return b == 0; }));
    CHECK(mem.read<uint8_t>(kDataPhys + 0x3000) == 0);
}

TEST_CASE("a stripped image (no section headers) has no symbols") {
    auto file = valid_elf();
    put<uint64_t>(file, EH_FIELD(e_shoff), 0);
    put<uint16_t>(file, EH_FIELD(e_shnum), 0);
    auto image = parse_elf64(file);
    CHECK(image.symbols.empty());
    CHECK(image.segments.size() == 2);
}

TEST_CASE("malformed identification and header") {
    check_refused({}, "not an ELF file (bad magic)");
    check_refused({0x7f, 'E', 'L'}, "not an ELF file (bad magic)");
    check_patched<uint8_t>(0, 0, "not an ELF file (bad magic)");
    check_patched<uint8_t>(EI_CLASS, ELFCLASS32, "32-bit ELF (ELFCLASS32): lstar needs an ELF64 x86-64 kernel");
    check_patched<uint8_t>(EI_DATA, ELFDATA2MSB, "big-endian ELF (ELFDATA2MSB)");
    check_patched<uint16_t>(EH_FIELD(e_machine), EM_AARCH64, "wrong machine 183 (EM_AARCH64)");
    check_patched<uint16_t>(EH_FIELD(e_type), ET_DYN, "ET_DYN");
    check_patched<uint16_t>(EH_FIELD(e_phentsize), 32, "bad e_phentsize 32");
    check_patched<uint16_t>(EH_FIELD(e_phnum), 0, "no program headers");

    auto f = valid_elf();
    f.resize(40);
    check_refused(f, "truncated: the ELF header needs 64 bytes, the file has 40");
}

TEST_CASE("malformed program headers and segments") {
    auto f = valid_elf();
    f.resize(100);
    check_refused(f, "truncated: program header table [0x40, +0xa8) runs past the end of the 100-byte file");

    check_patched<uint64_t>(EH_FIELD(e_phoff), ~0ull - 8, "truncated: program header table");  // offset + size wraps
    check_patched<uint64_t>(PH_FIELD(1, p_filesz), 0x100000, "truncated: segment 1 data");
    check_patched<uint64_t>(PH_FIELD(0, p_offset), ~0ull - 2, "truncated: segment 0 data");  // wraps
    check_patched<uint64_t>(PH_FIELD(0, p_memsz), 2, "segment 0: p_filesz 0x5 is larger than p_memsz 0x2");
    check_patched<uint64_t>(PH_FIELD(1, p_paddr), ~0ull - 0x1000, "segment 1: physical range");
    check_patched<uint64_t>(PH_FIELD(1, p_paddr), kRam - 0x1000,
                            "segment 1 [0x3ff000-0x402000) lies outside guest RAM (4 MiB)");
    check_patched<uint64_t>(PH_FIELD(0, p_paddr), 0x80000, "segment 0 [0x80000-0x80005) lies below 0x100000");
    check_patched<uint64_t>(PH_FIELD(1, p_paddr), kTextPhys + 4,
                            "segments 0 [0x100000-0x100005) and 1 [0x100004-0x103004) overlap in physical memory");

    f = valid_elf();
    put<uint32_t>(f, PH_FIELD(0, p_type), PT_NULL);
    put<uint32_t>(f, PH_FIELD(1, p_type), PT_NULL);
    check_refused(f, "no PT_LOAD segments");
}

TEST_CASE("the entry point must be inside an executable segment") {
    check_patched<uint64_t>(EH_FIELD(e_entry), 0x1000, "entry point 0x1000 is outside every PT_LOAD segment");
    check_patched<uint64_t>(EH_FIELD(e_entry), kDataVirt + 0x10, "lies in segment 1, which is not executable (flags RW-)");
    check_patched<uint64_t>(EH_FIELD(e_entry), kTextVirt + kCode.size(), "outside every PT_LOAD segment");  // one past
}

TEST_CASE("broken notes and symbol tables are refused") {
    const auto good = valid_elf();
    uint64_t note = get<uint64_t>(good, PH_FIELD(2, p_offset));
    uint64_t symtab_sh = get<uint64_t>(good, EH_FIELD(e_shoff)) + sizeof(Elf64_Shdr);
    uint64_t strtab_sh = symtab_sh + sizeof(Elf64_Shdr);
    uint64_t sym1 = get<uint64_t>(good, symtab_sh + offsetof(Elf64_Shdr, sh_offset)) + sizeof(Elf64_Sym);
    uint64_t strtab_size = get<uint64_t>(good, strtab_sh + offsetof(Elf64_Shdr, sh_size));

    check_patched<uint32_t>(note, 0x1000, "PT_NOTE program header 2: note at +0x0");  // namesz past the 24-byte segment
    check_patched<uint64_t>(PH_FIELD(2, p_filesz), 30, "note header at +0x18 runs past the end of the segment");

    check_patched<uint32_t>(symtab_sh + offsetof(Elf64_Shdr, sh_link), 99,
                            "broken symbol table (section 1): sh_link 99 names no section");
    check_patched<uint32_t>(symtab_sh + offsetof(Elf64_Shdr, sh_link), 0, "broken symbol table");
    check_patched<uint64_t>(symtab_sh + offsetof(Elf64_Shdr, sh_offset), good.size() - 8,
                            "broken symbol table (section 1): [");
    check_patched<uint64_t>(symtab_sh + offsetof(Elf64_Shdr, sh_entsize), 16, "sh_entsize 16");
    check_patched<uint32_t>(sym1 + offsetof(Elf64_Sym, st_name), 0x10000, "symbol 1 has name offset 0x10000");
    // A string table without its final NUL: the last name runs off its end.
    check_patched<uint64_t>(strtab_sh + offsetof(Elf64_Shdr, sh_size), strtab_size - 1, "symbol 3 has name offset");
    check_patched<uint64_t>(EH_FIELD(e_shoff), good.size() - 10, "truncated: section header table");
}

TEST_CASE("truncated and corrupted images never crash the parser") {
    const auto good = valid_elf();
    for (size_t len = 0; len < good.size(); ++len) {
        std::vector<uint8_t> f(good.begin(), good.begin() + long(len));
        try {
            parse_elf64(f);
        } catch (const ElfError&) {
        }
    }
    uint32_t seed = 12345;
    for (int round = 0; round < 2000; ++round) {
        auto f = good;
        for (int k = 0; k < 4; ++k) {
            seed = seed * 1103515245 + 12345;
            f[(seed >> 8) % f.size()] ^= uint8_t(1u << (seed % 8));
        }
        try {
            auto image = parse_elf64(f);
            GuestMemory mem(kRam);
            load_elf(image, f, mem, boot::kLowReservedEnd);
        } catch (const ElfError&) {
        } catch (const GuestMemoryError&) {
            FAIL("load_elf touched memory outside RAM");
        }
    }
}

TEST_CASE("read_file") {
    auto data = read_file(LSTAR_SOURCE_ROOT "/tests/unit/main.cpp");
    CHECK(!data.empty());
    CHECK_THROWS_WITH_AS(read_file("/nonexistent/lstar-kernel"), Contains("/nonexistent/lstar-kernel"),
                         std::system_error);
    CHECK_THROWS_AS(read_file("/"), std::system_error);
}

TEST_CASE("a loader with named reserved ranges loads segments below 1 MiB and refuses only a real overlap") {
    const std::vector<ReservedRange> boot_data = {{0x1000, 0x7000, "the boot data"}};
    auto low = [&](uint64_t text_phys, uint64_t hdr_phys) {
        // An ELF-header page below the text, as `ld -Ttext=0x100000` makes, and the text.
        return make_elf({{hdr_phys, hdr_phys, std::vector<uint8_t>(0xb4, 0x7f), 0xb4, PF_R},
                         {text_phys, text_phys, {0x90, 0x90, 0xf4}, 3, PF_R | PF_X}},
                        text_phys, {});
    };
    auto f = low(0x100000, 0xff000);
    GuestMemory mem(kRam);
    auto k = load_elf(parse_elf64(f), f, mem, boot_data);
    CHECK(k.phys_start == 0xff000);
    CHECK(k.phys_end == 0x100003);
    CHECK(mem.read<uint8_t>(0xff000) == 0x7f);
    CHECK(mem.read<uint8_t>(0x100002) == 0xf4);

    f = low(0x8000, 0xa000);  // conventional memory, clear of the boot data: loaded
    GuestMemory mem2(kRam);
    CHECK(load_elf(parse_elf64(f), f, mem2, boot_data).phys_start == 0x8000);

    f = low(0x100000, 0x6000);  // the header page runs into [0x1000, 0x7000)
    GuestMemory mem3(kRam);
    std::string what;
    try {
        load_elf(parse_elf64(f), f, mem3, boot_data);
    } catch (const ElfError& e) {
        what = e.what();
    }
    CHECK(what.find("segment 0 [0x6000-0x60b4) overlaps [0x1000-0x7000), where lstar puts the boot data") !=
          std::string::npos);
    CHECK(all_zero(mem3));  // refused before anything was written
}
