// A Linux bzImage (the x86 boot protocol's setup header, shared/linux_boot_params.hpp), checked
// before anything is loaded. Pure functions of the file's bytes, like image_kind.hpp: unit tests
// and the fuzzer feed them anything.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace lstar {

struct BzImage {
    uint16_t version = 0;       // boot protocol version (0x020f = 2.15)
    uint32_t setup_bytes = 0;   // boot sector + setup sectors: the protected-mode code starts here in the file
    uint64_t payload_size = 0;  // the protected-mode code (the decompressor and its payload)
    uint32_t header_end = 0;    // one past the setup header (0x202 + the jump's offset byte)
    uint8_t loadflags = 0;
    uint16_t xloadflags = 0;
    uint32_t code32_start = 0;
    uint32_t kernel_alignment = 0;
    bool relocatable = false;
    uint64_t pref_address = 0;
    uint32_t init_size = 0;
    uint32_t cmdline_size = 0;
    uint32_t initrd_addr_max = 0;
};

// Does the file start like a bzImage ("HdrS" at 0x202 and 0xaa55 at 0x1fe)? Cheap, never throws.
bool looks_like_bzimage(std::span<const uint8_t> file);

// The setup header, checked: throws BadImage naming what lstar cannot boot (a zImage, a protocol
// older than 2.12, no 64-bit entry, a truncated file, fields that contradict each other).
BzImage parse_bzimage(std::span<const uint8_t> file);

// "Linux bzImage, boot protocol 2.15, 64-bit entry at code32_start + 0x200, ..."
std::string describe_bzimage(const BzImage& b);

}  // namespace lstar
