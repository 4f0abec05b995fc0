// MSR indices and the architectural bits lstar programs (SDM vol. 4; Linux msr-index.h, processor-flags.h).
#pragma once
#include <cstdint>

namespace lstar::x86 {

inline constexpr uint32_t kMsrEfer = 0xc0000080;
inline constexpr uint32_t kMsrStar = 0xc0000081;
inline constexpr uint32_t kMsrLstar = 0xc0000082;
inline constexpr uint32_t kMsrCstar = 0xc0000083;
inline constexpr uint32_t kMsrSyscallMask = 0xc0000084;  // "FMASK"
inline constexpr uint32_t kMsrFsBase = 0xc0000100;
inline constexpr uint32_t kMsrGsBase = 0xc0000101;
inline constexpr uint32_t kMsrKernelGsBase = 0xc0000102;
inline constexpr uint32_t kMsrSysenterCs = 0x174;
inline constexpr uint32_t kMsrSysenterEsp = 0x175;
inline constexpr uint32_t kMsrSysenterEip = 0x176;

// EFER
inline constexpr uint64_t kEferSce = 1ull << 0;   // SYSCALL/SYSRET enable
inline constexpr uint64_t kEferLme = 1ull << 8;   // long mode enable
inline constexpr uint64_t kEferLma = 1ull << 10;  // long mode active (set by the CPU)
inline constexpr uint64_t kEferNxe = 1ull << 11;  // no-execute page bit enable
inline constexpr uint64_t kEferSvme = 1ull << 12;
inline constexpr uint64_t kEferLmsle = 1ull << 13;
inline constexpr uint64_t kEferFfxsr = 1ull << 14;
inline constexpr uint64_t kEferTce = 1ull << 15;
inline constexpr uint64_t kEferDefined =
    kEferSce | kEferLme | kEferLma | kEferNxe | kEferSvme | kEferLmsle | kEferFfxsr | kEferTce;

// RFLAGS
inline constexpr uint64_t kRflagsCf = 1ull << 0;
inline constexpr uint64_t kRflagsFixed = 1ull << 1;  // always 1
inline constexpr uint64_t kRflagsPf = 1ull << 2;
inline constexpr uint64_t kRflagsAf = 1ull << 4;
inline constexpr uint64_t kRflagsZf = 1ull << 6;
inline constexpr uint64_t kRflagsSf = 1ull << 7;
inline constexpr uint64_t kRflagsTf = 1ull << 8;
inline constexpr uint64_t kRflagsIf = 1ull << 9;
inline constexpr uint64_t kRflagsDf = 1ull << 10;
inline constexpr uint64_t kRflagsOf = 1ull << 11;
inline constexpr uint64_t kRflagsIopl = 3ull << 12;
inline constexpr uint64_t kRflagsNt = 1ull << 14;
inline constexpr uint64_t kRflagsRf = 1ull << 16;
inline constexpr uint64_t kRflagsVm = 1ull << 17;
inline constexpr uint64_t kRflagsAc = 1ull << 18;
inline constexpr uint64_t kRflagsId = 1ull << 21;

// What SYSCALL clears in RFLAGS, as Linux's syscall_init() programs MSR_SYSCALL_MASK.
inline constexpr uint64_t kSyscallMask =
    kRflagsTf | kRflagsDf | kRflagsIf | kRflagsIopl | kRflagsAc | kRflagsNt;
static_assert(kSyscallMask == 0x47700);

// CR0 / CR4
inline constexpr uint64_t kCr0Pe = 1ull << 0;
inline constexpr uint64_t kCr0Mp = 1ull << 1;
inline constexpr uint64_t kCr0Et = 1ull << 4;
inline constexpr uint64_t kCr0Ne = 1ull << 5;
inline constexpr uint64_t kCr0Wp = 1ull << 16;
inline constexpr uint64_t kCr0Am = 1ull << 18;
inline constexpr uint64_t kCr0Pg = 1ull << 31;
inline constexpr uint64_t kCr4Pae = 1ull << 5;
inline constexpr uint64_t kCr4Pge = 1ull << 7;
inline constexpr uint64_t kCr4Osfxsr = 1ull << 9;
inline constexpr uint64_t kCr4Osxmmexcpt = 1ull << 10;
inline constexpr uint64_t kCr4Pcide = 1ull << 17;

// A 64-bit linear address is canonical when bits 63:47 are all equal (48-bit virtual addresses).
// SYSRET to a non-canonical RCX faults in ring 0 on Intel: the hazard entry_SYSCALL_64 checks for.
constexpr bool is_canonical(uint64_t va) {
    uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
}

}  // namespace lstar::x86
