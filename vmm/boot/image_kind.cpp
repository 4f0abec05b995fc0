#include "boot/image_kind.hpp"

#include <cstring>
#include <stdexcept>

#include "boot_protocol.hpp"
#include "common/hex.hpp"
#include "pvh.hpp"

namespace lstar {

namespace {


}  // namespace

std::optional<MultibootHeaderAt> find_multiboot_header(std::span<const uint8_t> file) {
    const uint64_t end = std::min<uint64_t>(file.size(), multiboot::kSearchBytes);
    for (uint64_t off = 0; off + 12 <= end; off += multiboot::kHeaderAlign) {
        uint32_t w[3];
        std::memcpy(w, file.data() + off, sizeof w);
        if (w[0] != multiboot::kHeaderMagic || uint32_t(w[0] + w[1] + w[2]) != 0) continue;
        MultibootHeaderAt at{uint32_t(off), {}};
        at.header.magic = w[0], at.header.flags = w[1], at.header.checksum = w[2];
        if (at.aout_kludge()) {
            // The address fields may lie past the first 8 KiB, but not past the file.
            if (off + sizeof(multiboot::Header) > file.size()) continue;
            std::memcpy(&at.header, file.data() + off, sizeof at.header);
        }
        return at;
    }
    return std::nullopt;
}

std::optional<std::string> multiboot_flags_unsupported(uint32_t flags) {
    constexpr uint32_t known = multiboot::kPageAlign | multiboot::kMemoryInfo | multiboot::kVideoMode;
    uint32_t unknown = flags & 0xffff & ~known;
    if (!unknown) return std::nullopt;
    return "the multiboot header requires features " + hex(unknown) + " (flags " + hex(flags) +
           "), which lstar does not know (it knows bits 0-2 and 16)";
}

RawLoad plan_aout_load(const MultibootHeaderAt& mb, uint64_t file_size) {
    const auto& h = mb.header;
    auto bad = [&](const std::string& why) { throw BadImage("multiboot header at file offset " + hex(mb.offset) + ": " + why); };
    if (h.header_addr < h.load_addr) bad("header_addr " + hex(h.header_addr) + " is below load_addr " + hex(h.load_addr));
    uint64_t before = uint64_t(h.header_addr) - h.load_addr;  // bytes loaded before the header
    if (before > mb.offset)
        bad("load_addr " + hex(h.load_addr) + " would start " + hex(before - mb.offset) + " bytes before the file");
    RawLoad r{};
    r.file_offset = mb.offset - before;
    r.phys = h.load_addr;
    uint64_t end = h.load_end_addr ? uint64_t(h.load_end_addr) : r.phys + (file_size - r.file_offset);
    if (end < r.phys) bad("load_end_addr " + hex(h.load_end_addr) + " is below load_addr " + hex(h.load_addr));
    r.filesz = end - r.phys;
    if (r.filesz > file_size - r.file_offset)
        bad("load_end_addr " + hex(h.load_end_addr) + " asks for " + hex(r.filesz) + " bytes, the file has " +
            hex(file_size - r.file_offset) + " from load_addr on");
    uint64_t bss_end = h.bss_end_addr ? uint64_t(h.bss_end_addr) : end;
    if (bss_end < end) bad("bss_end_addr " + hex(h.bss_end_addr) + " is below the end of the loaded data " + hex(end));
    r.memsz = bss_end - r.phys;
    if (r.memsz == 0) bad("nothing to load");
    if (h.entry_addr < r.phys || h.entry_addr >= end)
        bad("entry_addr " + hex(h.entry_addr) + " is outside the loaded text and data [" + hex(r.phys) + ", " + hex(end) + ")");
    r.entry = h.entry_addr;
    return r;
}

std::optional<uint64_t> pvh_entry_note(const std::vector<ElfNote>& notes) {
    for (const auto& n : notes) {
        if (n.owner != "Xen" || n.type != pvh::kElfNotePhys32Entry) continue;
        if (n.desc.size() == 4 || n.desc.size() == 8) {
            uint64_t v = 0;
            std::memcpy(&v, n.desc.data(), n.desc.size());
            return v;
        }
    }
    return std::nullopt;
}

std::optional<uint32_t> lstar_note(const std::vector<ElfNote>& notes) {
    for (const auto& n : notes) {
        if (n.owner == "lstar" && n.type == boot::kNoteType && n.desc.size() >= 4) {
            uint32_t v;
            std::memcpy(&v, n.desc.data(), 4);
            return v;
        }
    }
    return std::nullopt;
}

const char* protocol_name(Protocol p) {
    switch (p) {
    case Protocol::Lstar64: return "lstar64";
    case Protocol::LstarPvh:
    case Protocol::Pvh: return "pvh";
    case Protocol::Multiboot: return "multiboot";
    case Protocol::Linux: return "linux";
    }
    return "?";
}

ImageFacts inspect_image(std::span<const uint8_t> file) {
    ImageFacts f;
    f.multiboot = find_multiboot_header(file);
    if ((f.bzimage = looks_like_bzimage(file))) {
        try {
            f.linux = parse_bzimage(file);
        } catch (const BadImage& e) {
            f.bzimage_error = e.what();
        }
        return f;
    }
    f.elf = file.size() >= 4 && std::memcmp(file.data(), "\x7f" "ELF", 4) == 0;
    if (!f.elf) return f;
    try {
        ElfImage e = parse_elf(file);
        f.elf32 = e.elf32;
        f.lstar = lstar_note(e.notes);
        f.pvh_entry = pvh_entry_note(e.notes);
    } catch (const ElfError& e) {
        f.elf_error = e.what();
    }
    return f;
}

Protocol choose_protocol(const ImageFacts& f, BootRequest req, bool msr_guest) {
    auto refuse = [](const std::string& why) { throw BadImage(why, ""); };
    if (f.bzimage) {
        if (msr_guest) refuse("--msr-setup guest is for lstar's own kernel; a bzImage boots through Linux's boot protocol");
        if (req != BootRequest::Auto && req != BootRequest::Linux)
            refuse("a Linux bzImage boots with --boot linux (or auto), not another protocol");
        if (f.bzimage_error) refuse(*f.bzimage_error);
        return Protocol::Linux;
    }
    if (req == BootRequest::Linux) refuse("--boot linux: not a bzImage (no 0xaa55 at 0x1fe and \"HdrS\" at 0x202)");
    if (f.elf_error && !(f.multiboot && f.multiboot->aout_kludge())) refuse(*f.elf_error);
    if (msr_guest) {
        if (req == BootRequest::Multiboot || req == BootRequest::Lstar)
            refuse("--msr-setup guest boots through the PVH entry: use it without --boot lstar|multiboot");
        if (!f.pvh_entry)
            refuse("--msr-setup guest boots through PVH, and this image has no XEN_ELFNOTE_PHYS32_ENTRY note");
        return Protocol::LstarPvh;
    }
    switch (req) {
    case BootRequest::Lstar:
        if (!f.lstar) refuse("--boot lstar: the image has no \"lstar\" ELF note (shared/boot_protocol.hpp)");
        if (f.elf32) refuse("--boot lstar: lstar's protocol needs an ELF64 kernel");
        return Protocol::Lstar64;
    case BootRequest::Pvh:
        if (!f.pvh_entry) refuse("--boot pvh: the image has no XEN_ELFNOTE_PHYS32_ENTRY ELF note");
        return Protocol::Pvh;
    case BootRequest::Multiboot:
        if (!f.multiboot) refuse("--boot multiboot: no multiboot header (0x1BADB002 with a valid checksum) in the first 8 KiB");
        if (!f.elf && !f.multiboot->aout_kludge())
            refuse("--boot multiboot: not an ELF file, and the multiboot header has no address fields (flag bit 16)");
        return Protocol::Multiboot;
    case BootRequest::Auto:
    case BootRequest::Linux: break;
    }
    if (f.lstar && !f.elf32) return Protocol::Lstar64;
    if (f.multiboot && (f.elf || f.multiboot->aout_kludge())) return Protocol::Multiboot;
    if (f.pvh_entry) return Protocol::Pvh;
    if (!f.elf) refuse("not an ELF file, and no multiboot header (0x1BADB002 with a valid checksum) in the first 8 KiB");
    refuse("the ELF image carries none of the boot protocols lstar knows: no \"lstar\" note, no multiboot header "
           "in the first 8 KiB, no XEN_ELFNOTE_PHYS32_ENTRY (PVH) note");
    return Protocol::Lstar64;  // not reached
}

std::string describe_image(const ImageFacts& f, Protocol p) {
    std::string elf = !f.elf ? "a flat image" : f.elf32 ? "an ELF32 image" : "an ELF64 image";
    switch (p) {
    case Protocol::Linux: return f.linux ? describe_bzimage(*f.linux) : "Linux bzImage";
    case Protocol::Lstar64:
        return "lstar64: lstar's own 64-bit protocol (\"lstar\" ELF note, version " + std::to_string(f.lstar.value_or(0)) +
               "), " + elf;
    case Protocol::LstarPvh:
        return "PVH (XEN_ELFNOTE_PHYS32_ENTRY " + hex(f.pvh_entry.value_or(0)) +
               ") with lstar's BootInfo (--msr-setup guest), " + elf;
    case Protocol::Pvh:
        return "PVH (XEN_ELFNOTE_PHYS32_ENTRY " + hex(f.pvh_entry.value_or(0)) + "): 32-bit entry, EBX = hvm_start_info, " + elf;
    case Protocol::Multiboot: {
        const auto& m = *f.multiboot;
        std::string how = m.aout_kludge() ? "loaded by the header's address fields (flag bit 16)"
                          : f.elf32         ? "loaded by its ELF32 program headers"
                                            : "loaded by its ELF64 program headers' physical addresses";
        return "multiboot v1 (header at file offset " + hex(m.offset) + ", flags " + hex(m.header.flags) + "), " + elf +
               " " + how + "; 32-bit entry, EAX = 0x2badb002, EBX = multiboot_info";
    }
    }
    return "?";
}

}  // namespace lstar
