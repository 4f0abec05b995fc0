#include "boot/bzimage.hpp"

#include <cstring>

#include "common/error.hpp"
#include "common/hex.hpp"
#include "linux_boot_params.hpp"

namespace lstar {

using namespace linux_boot;

namespace {

template <class T>
T field(std::span<const uint8_t> f, uint32_t off) {
    T v;
    std::memcpy(&v, f.data() + off, sizeof v);
    return v;
}

[[noreturn]] void refuse(const std::string& why) { throw BadImage("Linux bzImage: " + why); }

std::string version_text(uint16_t v) { return std::to_string(v >> 8) + "." + std::to_string(v & 0xff); }

}  // namespace

bool looks_like_bzimage(std::span<const uint8_t> file) {
    return file.size() >= kHeader + 4 && field<uint16_t>(file, kBootFlag) == kBootFlagMagic &&
           field<uint32_t>(file, kHeader) == kHeaderMagic;
}

BzImage parse_bzimage(std::span<const uint8_t> file) {
    if (!looks_like_bzimage(file)) refuse("no setup header (0xaa55 at 0x1fe and \"HdrS\" at 0x202)");
    BzImage b;
    b.version = field<uint16_t>(file, kVersion);
    if (b.version < kMinVersion)
        refuse("boot protocol " + version_text(b.version) + "; lstar needs 2.12 or later (xloadflags, the 64-bit entry)");
    b.header_end = kJump + 2 + file[kJump + 1];
    if (b.header_end < kInitSize + 4) refuse("the setup header ends at " + hex(b.header_end) + ", before init_size");
    uint32_t sects = file[kSetupSects] ? file[kSetupSects] : 4;
    b.setup_bytes = (sects + 1) * 512;
    if (b.header_end > b.setup_bytes) refuse("the setup header runs past the setup code (" + std::to_string(sects) + " sectors)");
    if (file.size() <= b.setup_bytes)
        refuse("truncated: " + std::to_string(sects) + " setup sectors, and the file ends at " + hex(file.size()));
    b.payload_size = file.size() - b.setup_bytes;
    uint64_t syssize = uint64_t(field<uint32_t>(file, kSysSize)) * 16;
    if (syssize > b.payload_size)
        refuse("truncated: syssize says " + hex(syssize) + " bytes of protected-mode code, the file has " + hex(b.payload_size));
    b.loadflags = file[kLoadFlags];
    if (!(b.loadflags & kLoadedHigh)) refuse("a zImage (loadflags LOADED_HIGH clear): it loads at 0x10000, real mode only");
    b.xloadflags = field<uint16_t>(file, kXLoadFlags);
    if (!(b.xloadflags & kXlfKernel64))
        refuse("no 64-bit entry (xloadflags " + hex(b.xloadflags) + ", XLF_KERNEL_64 clear): a 32-bit kernel");
    b.code32_start = field<uint32_t>(file, kCode32Start);
    b.kernel_alignment = field<uint32_t>(file, kKernelAlignment);
    b.relocatable = file[kRelocatableKernel] != 0;
    b.pref_address = field<uint64_t>(file, kPrefAddress);
    b.init_size = field<uint32_t>(file, kInitSize);
    b.cmdline_size = field<uint32_t>(file, kCmdlineSize);
    b.initrd_addr_max = field<uint32_t>(file, kInitrdAddrMax);
    if (b.kernel_alignment == 0 || (b.kernel_alignment & (b.kernel_alignment - 1)))
        refuse("kernel_alignment " + hex(b.kernel_alignment) + " is not a power of two");
    if (b.init_size < b.payload_size) refuse("init_size " + hex(b.init_size) + " is smaller than the code (" + hex(b.payload_size) + ")");
    if (!b.relocatable && b.code32_start != b.pref_address)
        refuse("not relocatable, and code32_start " + hex(b.code32_start) + " is not pref_address " + hex(b.pref_address));
    return b;
}

std::string describe_bzimage(const BzImage& b) {
    return "Linux bzImage, boot protocol " + version_text(b.version) + " (setup " + hex(b.setup_bytes) + " bytes, " +
           hex(b.payload_size) + " bytes of protected-mode code, init_size " + hex(b.init_size) + (b.relocatable ? ", relocatable" : "") +
           "): 64-bit entry at code32_start + 0x200, RSI = boot_params";
}

}  // namespace lstar
