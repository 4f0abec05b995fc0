#include "loader/elf.hpp"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <system_error>

#include <fmt/format.h>

namespace lstar {
namespace {

// Overflow-safe: does [off, off + len) lie inside a buffer of `size` bytes?
constexpr bool fits(uint64_t off, uint64_t len, uint64_t size) { return off <= size && len <= size - off; }

template <class... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
    throw ElfError(fmt::format(f, std::forward<Args>(args)...));
}

// A struct at `off` of the file, copied out (the file buffer has no alignment guarantee).
template <class T>
T read_at(std::span<const uint8_t> file, uint64_t off) {
    T v;
    std::memcpy(&v, file.data() + off, sizeof v);
    return v;
}

void check_table(std::span<const uint8_t> file, const char* what, uint64_t off, uint64_t count, uint64_t entsize) {
    // count <= 0xffff and entsize is a struct size here, so the product cannot overflow.
    if (!fits(off, count * entsize, file.size()))
        fail("truncated: {} [{:#x}, +{:#x}) runs past the end of the {}-byte file", what, off, count * entsize,
             file.size());
}

const char* machine_name(unsigned m) {
    switch (m) {
    case EM_386: return " (EM_386, 32-bit x86)";
    case EM_ARM: return " (EM_ARM)";
    case EM_AARCH64: return " (EM_AARCH64)";
    case EM_RISCV: return " (EM_RISCV)";
    case EM_PPC64: return " (EM_PPC64)";
    default: return "";
    }
}

const char* type_name(unsigned t) {
    switch (t) {
    case ET_NONE: return "ET_NONE";
    case ET_REL: return "ET_REL, a relocatable object";
    case ET_DYN: return "ET_DYN, a shared object or PIE";
    case ET_CORE: return "ET_CORE, a core dump";
    default: return "unknown";
    }
}

// An ELF32 file's headers widened to their ELF64 forms, so that one checker serves both classes
// (ELF32 kernels are multiboot and PVH images; lstar's own protocol needs ELF64).
struct ElfClass {
    bool is32 = false;
    uint64_t ehdr_size() const { return is32 ? sizeof(Elf32_Ehdr) : sizeof(Elf64_Ehdr); }
    uint64_t phdr_size() const { return is32 ? sizeof(Elf32_Phdr) : sizeof(Elf64_Phdr); }
    uint64_t shdr_size() const { return is32 ? sizeof(Elf32_Shdr) : sizeof(Elf64_Shdr); }
    uint64_t sym_size() const { return is32 ? sizeof(Elf32_Sym) : sizeof(Elf64_Sym); }
    Elf64_Ehdr ehdr(std::span<const uint8_t> f) const {
        if (!is32) return read_at<Elf64_Ehdr>(f, 0);
        auto e = read_at<Elf32_Ehdr>(f, 0);
        Elf64_Ehdr w{};
        std::memcpy(w.e_ident, e.e_ident, EI_NIDENT);
        w.e_type = e.e_type, w.e_machine = e.e_machine, w.e_version = e.e_version, w.e_entry = e.e_entry;
        w.e_phoff = e.e_phoff, w.e_shoff = e.e_shoff, w.e_flags = e.e_flags, w.e_ehsize = e.e_ehsize;
        w.e_phentsize = e.e_phentsize == sizeof(Elf32_Phdr) ? sizeof(Elf64_Phdr) : 0;  // checked as ELF64's
        w.e_phnum = e.e_phnum;
        w.e_shentsize = e.e_shentsize == sizeof(Elf32_Shdr) ? sizeof(Elf64_Shdr) : 0;
        w.e_shnum = e.e_shnum, w.e_shstrndx = e.e_shstrndx;
        return w;
    }
    Elf64_Phdr phdr(std::span<const uint8_t> f, uint64_t off) const {
        if (!is32) return read_at<Elf64_Phdr>(f, off);
        auto p = read_at<Elf32_Phdr>(f, off);
        return {p.p_type, p.p_flags, p.p_offset, p.p_vaddr, p.p_paddr, p.p_filesz, p.p_memsz, p.p_align};
    }
    Elf64_Shdr shdr(std::span<const uint8_t> f, uint64_t off) const {
        if (!is32) return read_at<Elf64_Shdr>(f, off);
        auto s = read_at<Elf32_Shdr>(f, off);
        return {s.sh_name, s.sh_type, s.sh_flags, s.sh_addr, s.sh_offset, s.sh_size, s.sh_link, s.sh_info,
                s.sh_addralign, s.sh_entsize == sizeof(Elf32_Sym) ? sizeof(Elf64_Sym) : s.sh_entsize};
    }
    Elf64_Sym sym(std::span<const uint8_t> f, uint64_t off) const {
        if (!is32) return read_at<Elf64_Sym>(f, off);
        auto s = read_at<Elf32_Sym>(f, off);
        return {s.st_name, s.st_info, s.st_other, s.st_shndx, s.st_value, s.st_size};
    }
};

ElfClass check_ident(std::span<const uint8_t> file, bool allow32) {
    if (file.size() < SELFMAG || std::memcmp(file.data(), ELFMAG, SELFMAG) != 0) fail("not an ELF file (bad magic)");
    ElfClass c{allow32 && file.size() > EI_CLASS && file[EI_CLASS] == ELFCLASS32};
    if (file.size() < c.ehdr_size())
        fail("truncated: the ELF header needs {} bytes, the file has {}", c.ehdr_size(), file.size());
    switch (file[EI_CLASS]) {
    case ELFCLASS64: break;
    case ELFCLASS32:
        if (allow32) break;
        fail("32-bit ELF (ELFCLASS32): lstar needs an ELF64 x86-64 kernel");
    default: fail("bad ELF class {}: lstar needs an ELF64 x86-64 kernel", file[EI_CLASS]);
    }
    switch (file[EI_DATA]) {
    case ELFDATA2LSB: break;
    case ELFDATA2MSB: fail("big-endian ELF (ELFDATA2MSB): lstar needs a little-endian x86-64 kernel");
    default: fail("bad ELF data encoding {}: lstar needs a little-endian x86-64 kernel", file[EI_DATA]);
    }
    if (file[EI_VERSION] != EV_CURRENT) fail("bad ELF version {} in e_ident", file[EI_VERSION]);
    return c;
}

ElfSegment check_load(std::span<const uint8_t> file, const Elf64_Phdr& ph, size_t n) {
    if (!fits(ph.p_offset, ph.p_filesz, file.size()))
        fail("truncated: segment {} data [{:#x}, +{:#x}) runs past the end of the {}-byte file", n, ph.p_offset,
             ph.p_filesz, file.size());
    if (ph.p_filesz > ph.p_memsz) fail("segment {}: p_filesz {:#x} is larger than p_memsz {:#x}", n, ph.p_filesz, ph.p_memsz);
    if (ph.p_paddr + ph.p_memsz < ph.p_paddr) fail("segment {}: physical range {:#x} + {:#x} wraps around", n, ph.p_paddr, ph.p_memsz);
    if (ph.p_vaddr + ph.p_memsz < ph.p_vaddr) fail("segment {}: virtual range {:#x} + {:#x} wraps around", n, ph.p_vaddr, ph.p_memsz);
    return {ph.p_offset, ph.p_vaddr, ph.p_paddr, ph.p_filesz, ph.p_memsz, ph.p_align, ph.p_flags};
}

// Notes: 12-byte header (namesz, descsz, type), then name and desc, each padded to the alignment.
void parse_notes(std::span<const uint8_t> file, const Elf64_Phdr& ph, size_t n, std::vector<ElfNote>& out) {
    if (!fits(ph.p_offset, ph.p_filesz, file.size()))
        fail("truncated: PT_NOTE program header {} [{:#x}, +{:#x}) runs past the end of the {}-byte file", n,
             ph.p_offset, ph.p_filesz, file.size());
    uint64_t align = ph.p_align == 8 ? 8 : 4;  // GNU property notes use 8
    auto pad = [align](uint64_t v) { return (v + align - 1) & ~(align - 1); };
    auto seg = file.subspan(ph.p_offset, ph.p_filesz);
    uint64_t off = 0;
    while (off < seg.size()) {
        if (!fits(off, sizeof(Elf64_Nhdr), seg.size()))
            fail("PT_NOTE program header {}: note header at +{:#x} runs past the end of the segment", n, off);
        auto nh = read_at<Elf64_Nhdr>(seg, off);
        uint64_t name_off = off + sizeof(Elf64_Nhdr);
        uint64_t desc_off = name_off + pad(nh.n_namesz);  // n_namesz is 32-bit: no overflow
        if (!fits(name_off, nh.n_namesz, seg.size()) || !fits(desc_off, nh.n_descsz, seg.size()))
            fail("PT_NOTE program header {}: note at +{:#x} (namesz {:#x}, descsz {:#x}) runs past the end of the segment",
                 n, off, nh.n_namesz, nh.n_descsz);
        std::string owner(reinterpret_cast<const char*>(seg.data() + name_off), nh.n_namesz);
        owner.erase(std::find(owner.begin(), owner.end(), '\0'), owner.end());
        auto desc = seg.subspan(desc_off, nh.n_descsz);
        out.push_back({std::move(owner), nh.n_type, {desc.begin(), desc.end()}});
        off = desc_off + pad(nh.n_descsz);
    }
}

// The first SHT_SYMTAB, if the file has section headers and one. Anything inconsistent is an error:
// a kernel with a wrong symbol table would make every report lie.
std::vector<ElfSymbol> parse_symtab(std::span<const uint8_t> file, const Elf64_Ehdr& eh, ElfClass c) {
    if (eh.e_shoff == 0 || eh.e_shnum == 0) return {};
    if (eh.e_shentsize != sizeof(Elf64_Shdr))
        fail("bad e_shentsize {}: ELF{} section headers are {} bytes", eh.e_shentsize, c.is32 ? 32 : 64, c.shdr_size());
    check_table(file, "section header table", eh.e_shoff, eh.e_shnum, c.shdr_size());
    auto shdr = [&](unsigned i) { return c.shdr(file, eh.e_shoff + uint64_t(i) * c.shdr_size()); };

    std::optional<Elf64_Shdr> symtab;
    unsigned index = 0;
    for (unsigned i = 0; i < eh.e_shnum && !symtab; ++i)
        if (auto sh = shdr(i); sh.sh_type == SHT_SYMTAB) symtab = sh, index = i;
    if (!symtab) return {};

    const auto& symtab_hdr = *symtab;
    if (symtab_hdr.sh_entsize != sizeof(Elf64_Sym))
        fail("broken symbol table (section {}): sh_entsize {} is not {}", index, symtab_hdr.sh_entsize, sizeof(Elf64_Sym));
    if (symtab_hdr.sh_size % c.sym_size() != 0)
        fail("broken symbol table (section {}): size {:#x} is not a multiple of {}", index, symtab_hdr.sh_size, c.sym_size());
    if (!fits(symtab_hdr.sh_offset, symtab_hdr.sh_size, file.size()))
        fail("broken symbol table (section {}): [{:#x}, +{:#x}) runs past the end of the {}-byte file", index,
             symtab_hdr.sh_offset, symtab_hdr.sh_size, file.size());
    if (symtab_hdr.sh_link == 0 || symtab_hdr.sh_link >= eh.e_shnum)
        fail("broken symbol table (section {}): sh_link {} names no section", index, symtab_hdr.sh_link);
    auto strtab = shdr(symtab_hdr.sh_link);
    if (strtab.sh_type != SHT_STRTAB)
        fail("broken symbol table (section {}): its string table (section {}) is not SHT_STRTAB", index, symtab_hdr.sh_link);
    if (!fits(strtab.sh_offset, strtab.sh_size, file.size()))
        fail("broken symbol table (section {}): string table [{:#x}, +{:#x}) runs past the end of the {}-byte file",
             index, strtab.sh_offset, strtab.sh_size, file.size());
    auto strings = file.subspan(strtab.sh_offset, strtab.sh_size);

    std::vector<ElfSymbol> out;
    uint64_t count = symtab_hdr.sh_size / c.sym_size();
    for (uint64_t i = 1; i < count; ++i) {  // entry 0 is the reserved null symbol
        auto sym = c.sym(file, symtab_hdr.sh_offset + i * c.sym_size());
        auto nul = sym.st_name < strings.size()
                       ? std::find(strings.begin() + sym.st_name, strings.end(), uint8_t(0))
                       : strings.end();
        if (nul == strings.end())
            fail("broken symbol table (section {}): symbol {} has name offset {:#x}, outside its {:#x}-byte string table",
                 index, i, sym.st_name, strings.size());
        if (sym.st_shndx == SHN_UNDEF) continue;  // no address
        out.push_back({std::string(strings.begin() + sym.st_name, nul), sym.st_value, sym.st_size,
                       unsigned(ELF64_ST_TYPE(sym.st_info))});
    }
    return out;
}

std::string ram_size(uint64_t bytes) {
    if (bytes % (1ull << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
    return fmt::format("{:#x} bytes", bytes);
}

std::string flag_string(uint32_t flags) {
    std::string s;
    s += flags & PF_R ? 'R' : '-';
    s += flags & PF_W ? 'W' : '-';
    s += flags & PF_X ? 'X' : '-';
    return s;
}

bool holds_vaddr(const ElfSegment& s, uint64_t va) { return va >= s.vaddr && va - s.vaddr < s.memsz; }

}  // namespace

namespace {

ElfImage parse(std::span<const uint8_t> file, bool allow32) {
    const ElfClass c = check_ident(file, allow32);
    auto eh = c.ehdr(file);
    if (c.is32 && eh.e_machine != EM_386)
        fail("wrong machine {}{}: a 32-bit kernel must be x86 (EM_386)", eh.e_machine, machine_name(eh.e_machine));
    if (!c.is32 && eh.e_machine != EM_X86_64)
        fail("wrong machine {}{}: lstar needs an x86-64 (EM_X86_64) kernel", eh.e_machine, machine_name(eh.e_machine));
    if (eh.e_type != ET_EXEC)
        fail("ELF type {} ({}): lstar needs a statically linked executable (ET_EXEC)", eh.e_type, type_name(eh.e_type));
    if (eh.e_version != EV_CURRENT) fail("bad e_version {}", eh.e_version);
    if (eh.e_phnum == 0) fail("no program headers: nothing to load");
    if (eh.e_phnum == PN_XNUM) fail("extended program header numbering (e_phnum = PN_XNUM) is not supported");
    if (eh.e_phentsize != sizeof(Elf64_Phdr))
        fail("bad e_phentsize {}: ELF{} program headers are {} bytes", c.is32 ? read_at<Elf32_Ehdr>(file, 0).e_phentsize : eh.e_phentsize,
             c.is32 ? 32 : 64, c.phdr_size());
    check_table(file, "program header table", eh.e_phoff, eh.e_phnum, c.phdr_size());

    ElfImage image;
    image.entry = eh.e_entry;
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        auto ph = c.phdr(file, eh.e_phoff + uint64_t(i) * c.phdr_size());
        if (ph.p_type == PT_LOAD)
            image.segments.push_back(check_load(file, ph, image.segments.size()));
        else if (ph.p_type == PT_NOTE)
            parse_notes(file, ph, i, image.notes);
    }
    if (image.segments.empty()) fail("no PT_LOAD segments: nothing to load");
    image.symbols = parse_symtab(file, eh, c);
    image.elf32 = c.is32;
    return image;
}

}  // namespace

ElfImage parse_elf64(std::span<const uint8_t> file) { return parse(file, false); }
ElfImage parse_elf(std::span<const uint8_t> file) { return parse(file, true); }

LoadedKernel load_elf(const ElfImage& image, std::span<const uint8_t> file, GuestMemory& mem, uint64_t min_phys) {
    return load_elf(image, file, mem, std::vector<ReservedRange>{{0, min_phys, ""}});
}

LoadedKernel load_elf(const ElfImage& image, std::span<const uint8_t> file, GuestMemory& mem,
                      const std::vector<ReservedRange>& reserved) {
    const auto& segs = image.segments;
    if (segs.empty()) fail("no PT_LOAD segments: nothing to load");

    // Check everything first: a refused image leaves guest memory untouched.
    for (size_t i = 0; i < segs.size(); ++i) {
        const auto& s = segs[i];
        if (!fits(s.offset, s.filesz, file.size()))
            fail("truncated: segment {} data [{:#x}, +{:#x}) runs past the end of the {}-byte file", i, s.offset,
                 s.filesz, file.size());
        if (s.filesz > s.memsz) fail("segment {}: p_filesz {:#x} is larger than p_memsz {:#x}", i, s.filesz, s.memsz);
        if (!mem.contains(s.paddr, s.memsz))
            fail("segment {} [{:#x}-{:#x}) lies outside guest RAM ({})", i, s.paddr, s.paddr + s.memsz,
                 ram_size(mem.size()));
        for (const auto& r : reserved) {
            if (s.memsz == 0 || s.paddr >= r.end || s.paddr + s.memsz <= r.start) continue;
            if (r.start == 0 && r.what.empty())
                fail("segment {} [{:#x}-{:#x}) lies below {:#x}, where the monitor keeps its boot data", i, s.paddr,
                     s.paddr + s.memsz, r.end);
            fail("segment {} [{:#x}-{:#x}) overlaps [{:#x}-{:#x}), where lstar puts {}", i, s.paddr, s.paddr + s.memsz,
                 r.start, r.end, r.what);
        }
    }
    std::vector<size_t> order(segs.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return segs[a].paddr < segs[b].paddr; });
    std::erase_if(order, [&](size_t i) { return segs[i].memsz == 0; });
    for (size_t k = 1; k < order.size(); ++k) {
        const auto &a = segs[order[k - 1]], &b = segs[order[k]];
        if (a.paddr + a.memsz > b.paddr)
            fail("segments {} [{:#x}-{:#x}) and {} [{:#x}-{:#x}) overlap in physical memory", order[k - 1], a.paddr,
                 a.paddr + a.memsz, order[k], b.paddr, b.paddr + b.memsz);
    }
    auto exec = std::find_if(segs.begin(), segs.end(),
                             [&](const ElfSegment& s) { return (s.flags & PF_X) && holds_vaddr(s, image.entry); });
    if (exec == segs.end()) {
        auto any = std::find_if(segs.begin(), segs.end(), [&](const ElfSegment& s) { return holds_vaddr(s, image.entry); });
        if (any != segs.end())
            fail("entry point {:#x} lies in segment {}, which is not executable (flags {})", image.entry,
                 any - segs.begin(), flag_string(any->flags));
        fail("entry point {:#x} is outside every PT_LOAD segment", image.entry);
    }

    LoadedKernel k{image.entry, UINT64_MAX, 0};
    for (const auto& s : segs) {
        if (s.memsz == 0) continue;
        auto dst = mem.span(s.paddr, s.memsz);
        std::memcpy(dst.data(), file.data() + s.offset, s.filesz);
        std::memset(dst.data() + s.filesz, 0, s.memsz - s.filesz);
        k.phys_start = std::min(k.phys_start, s.paddr);
        k.phys_end = std::max(k.phys_end, s.paddr + s.memsz);
    }
    if (k.phys_start > k.phys_end) k.phys_start = k.phys_end = 0;  // only empty segments
    return k;
}

std::vector<uint8_t> read_file(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), path);
    auto fail_errno = [&](int err) {
        close(fd);
        throw std::system_error(err, std::generic_category(), path);
    };
    struct stat st {};
    if (fstat(fd, &st) < 0) fail_errno(errno);
    if (S_ISDIR(st.st_mode)) fail_errno(EISDIR);
    std::vector<uint8_t> data;
    data.reserve(size_t(st.st_size));
    uint8_t buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail_errno(errno);
        if (n == 0) break;
        data.insert(data.end(), buf, buf + n);
    }
    close(fd);
    return data;
}

}  // namespace lstar
