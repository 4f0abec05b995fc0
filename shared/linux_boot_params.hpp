// Linux's x86 boot protocol (Documentation/x86/boot.rst, arch/x86/include/uapi/asm/bootparam.h):
// the setup header a bzImage carries at file offset 0x1f1, and the boot_params "zero page" a
// loader hands to the 64-bit entry (code32_start + 0x200, RSI = its address). Offsets are into the
// file's first sector and into boot_params, which share the setup header's layout.
#pragma once
#include <cstdint>

namespace lstar::linux_boot {

inline constexpr uint32_t kSetupHeaderOffset = 0x1f1;  // struct setup_header inside boot_params
inline constexpr uint32_t kSetupSects = 0x1f1;         // u8: 512-byte setup sectors after the boot sector (0 means 4)
inline constexpr uint32_t kSysSize = 0x1f4;            // u32: protected-mode code size in 16-byte units
inline constexpr uint32_t kVidMode = 0x1fa;            // u16
inline constexpr uint32_t kBootFlag = 0x1fe;           // u16: 0xaa55
inline constexpr uint32_t kJump = 0x200;               // u16: jmp; its byte at 0x201 ends the header at 0x202 + it
inline constexpr uint32_t kHeader = 0x202;             // u32: "HdrS"
inline constexpr uint32_t kVersion = 0x206;            // u16: protocol version, 0x020f for 6.1
inline constexpr uint32_t kTypeOfLoader = 0x210;       // u8
inline constexpr uint32_t kLoadFlags = 0x211;          // u8
inline constexpr uint32_t kCode32Start = 0x214;        // u32: where the protected-mode code goes
inline constexpr uint32_t kRamdiskImage = 0x218;       // u32
inline constexpr uint32_t kRamdiskSize = 0x21c;        // u32
inline constexpr uint32_t kHeapEndPtr = 0x224;         // u16
inline constexpr uint32_t kCmdLinePtr = 0x228;         // u32
inline constexpr uint32_t kInitrdAddrMax = 0x22c;      // u32: highest byte address of the initrd
inline constexpr uint32_t kKernelAlignment = 0x230;    // u32
inline constexpr uint32_t kRelocatableKernel = 0x234;  // u8
inline constexpr uint32_t kXLoadFlags = 0x236;         // u16
inline constexpr uint32_t kCmdlineSize = 0x238;        // u32: longest command line, NUL excluded
inline constexpr uint32_t kHardwareSubarch = 0x23c;    // u32: 0 = a PC
inline constexpr uint32_t kPrefAddress = 0x258;        // u64
inline constexpr uint32_t kInitSize = 0x260;           // u32: memory the kernel needs from its load address on

// boot_params fields outside the setup header.
inline constexpr uint32_t kExtRamdiskImage = 0x0c0;  // u32: bits 63-32
inline constexpr uint32_t kExtRamdiskSize = 0x0c4;
inline constexpr uint32_t kExtCmdLinePtr = 0x0c8;
inline constexpr uint32_t kE820Entries = 0x1e8;  // u8
inline constexpr uint32_t kE820Table = 0x2d0;    // struct boot_e820_entry[128]: u64 addr, u64 size, u32 type
inline constexpr uint32_t kE820Max = 128;
inline constexpr uint32_t kBootParamsSize = 4096;

inline constexpr uint16_t kBootFlagMagic = 0xaa55;
inline constexpr uint32_t kHeaderMagic = 0x53726448;  // "HdrS"
inline constexpr uint16_t kMinVersion = 0x020c;      // 2.12: xloadflags, the 64-bit entry
inline constexpr uint8_t kLoadedHigh = 0x01;         // loadflags: protected-mode code at 1 MiB (a bzImage)
inline constexpr uint8_t kCanUseHeap = 0x80;
inline constexpr uint16_t kXlfKernel64 = 0x01;       // xloadflags: a 64-bit entry at code32_start + 0x200
inline constexpr uint16_t kXlfCanBeLoadedAbove4G = 0x02;
inline constexpr uint8_t kLoaderUndefined = 0xff;    // type_of_loader: a boot loader without an assigned ID
inline constexpr uint64_t kEntry64Offset = 0x200;

}  // namespace lstar::linux_boot
