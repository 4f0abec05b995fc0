// What kind of kernel image a file is, and which boot protocol lstar uses for it. Pure functions
// of the file's bytes (no KVM, no guest memory), so that unit tests and tests/fuzz/fuzz_boot_image
// feed them anything:
//   lstar64    an ELF64 with the "lstar" note (shared/boot_protocol.hpp): long mode built by lstar
//   pvh        an ELF (32 or 64) with Xen's XEN_ELFNOTE_PHYS32_ENTRY note (shared/pvh.hpp)
//   multiboot  the 0x1BADB002 header in the first 8 KiB (shared/multiboot.hpp): a 32-bit ELF, a
//              64-bit ELF loaded by its physical addresses, or the header's own address fields
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "boot/bzimage.hpp"
#include "loader/elf.hpp"
#include "multiboot.hpp"

namespace lstar {

struct MultibootHeaderAt {
    uint32_t offset;  // in the file
    multiboot::Header header;  // the address fields are zero unless kAoutKludge is set
    bool aout_kludge() const { return header.flags & multiboot::kAoutKludge; }
};

// The first 4-byte aligned header in the first 8 KiB whose checksum is right (a wrong checksum
// is skipped, as GRUB does).
std::optional<MultibootHeaderAt> find_multiboot_header(std::span<const uint8_t> file);

// Why a loader may not boot this header ("" if it may): requirement bits (0-15) lstar does not
// know. Bit 2 (a video mode) is a wish lstar leaves unanswered, as QEMU does.
std::optional<std::string> multiboot_flags_unsupported(uint32_t flags);

// Where the header's address fields (kAoutKludge) put the file: [file_offset, +filesz) copied to
// phys, then zeroed up to memsz. Throws BadImage naming the inconsistent field.
struct RawLoad {
    uint64_t file_offset, phys, filesz, memsz, entry;
};
RawLoad plan_aout_load(const MultibootHeaderAt& mb, uint64_t file_size);

// The physical address XEN_ELFNOTE_PHYS32_ENTRY gives (a 4- or 8-byte desc), if there is one.
std::optional<uint64_t> pvh_entry_note(const std::vector<ElfNote>& notes);
// The protocol version in the "lstar" note, if there is one.
std::optional<uint32_t> lstar_note(const std::vector<ElfNote>& notes);

enum class Protocol {
    Lstar64,    // lstar's 64-bit protocol
    LstarPvh,   // --msr-setup guest: the PVH entry, plus lstar's BootInfo (lstar.bootinfo=)
    Pvh,        // PVH as any PVH loader does it: hvm_start_info only
    Multiboot,  // multiboot v1
    Linux,      // a bzImage through the x86 boot protocol's 64-bit entry (boot/linux_boot.hpp)
};
enum class BootRequest { Auto, Lstar, Pvh, Multiboot, Linux };  // --boot

// A kernel that knows nothing of lstar: the PC devices and the in-kernel irqchip, no BootInfo.
constexpr bool is_foreign(Protocol p) { return p == Protocol::Pvh || p == Protocol::Multiboot || p == Protocol::Linux; }

const char* protocol_name(Protocol p);  // "lstar64", "pvh", "multiboot", "linux" (the exit log's "protocol")

struct ImageFacts {
    bool elf = false;
    bool elf32 = false;
    std::optional<std::string> elf_error;  // why an ELF-looking file did not parse (none when it did or is no ELF)
    std::optional<uint32_t> lstar;
    std::optional<uint64_t> pvh_entry;
    std::optional<MultibootHeaderAt> multiboot;
    bool bzimage = false;                     // the setup header's magic numbers are there
    std::optional<BzImage> linux;             // ... and the header is one lstar boots
    std::optional<std::string> bzimage_error; // ... or why not
};
ImageFacts inspect_image(std::span<const uint8_t> file);

// The protocol for this image and request; throws BadImage saying what is missing.
// Auto: a bzImage boots as Linux; lstar64 if the lstar note is there, else multiboot if the header is (QEMU's -kernel tries
// multiboot first too), else PVH. msr_guest (--msr-setup guest) keeps its meaning: LstarPvh.
Protocol choose_protocol(const ImageFacts& f, BootRequest req, bool msr_guest);

// One line for the user: "multiboot v1 (header at file offset 0x0, flags 0x10003: ...)"
std::string describe_image(const ImageFacts& f, Protocol p);

}  // namespace lstar
