// GDT layout and segment selectors, as in Linux's arch/x86/include/asm/segment.h (x86-64).
// Both the monitor (which builds the boot GDT) and the guest kernel include this file.
#pragma once
#include <cstdint>

namespace lstar::x86 {

// GDT entry indices (Linux: GDT_ENTRY_*).
inline constexpr unsigned kGdtKernel32Cs = 1;
inline constexpr unsigned kGdtKernelCs = 2;
inline constexpr unsigned kGdtKernelDs = 3;
inline constexpr unsigned kGdtUser32Cs = 4;
inline constexpr unsigned kGdtUserDs = 5;
inline constexpr unsigned kGdtUserCs = 6;
inline constexpr unsigned kGdtTss = 8;   // a 16-byte system descriptor: occupies entries 8 and 9
// Linux's GDT_ENTRY_CPUNODE: a DPL-3 data segment whose *limit* is (node << 12) | cpu, read from
// ring 3 with LSL by the vDSO's getcpu (x86/descriptor.hpp cpunode_descriptor).
inline constexpr unsigned kGdtCpunode = 15;
inline constexpr unsigned kGdtEntries = 16;

constexpr uint16_t selector(unsigned index, unsigned rpl) { return uint16_t(index << 3 | rpl); }

inline constexpr uint16_t kKernel32Cs = selector(kGdtKernel32Cs, 0);  // 0x08
inline constexpr uint16_t kKernelCs = selector(kGdtKernelCs, 0);      // 0x10  __KERNEL_CS
inline constexpr uint16_t kKernelDs = selector(kGdtKernelDs, 0);      // 0x18  __KERNEL_DS
inline constexpr uint16_t kUser32Cs = selector(kGdtUser32Cs, 3);      // 0x23  __USER32_CS
inline constexpr uint16_t kUserDs = selector(kGdtUserDs, 3);          // 0x2b  __USER_DS
inline constexpr uint16_t kUserCs = selector(kGdtUserCs, 3);          // 0x33  __USER_CS
inline constexpr uint16_t kTssSel = selector(kGdtTss, 0);             // 0x40
inline constexpr uint16_t kCpunodeSel = selector(kGdtCpunode, 3);     // 0x7b  __CPUNODE_SEG

// IA32_STAR holds selector *bases*, not addresses (SDM vol. 2B SYSCALL/SYSRET, vol. 3A 5.8.8):
//   SYSCALL: CS = STAR[47:32],        SS = STAR[47:32] + 8          (RPL forced to 0)
//   SYSRET (64-bit): CS = STAR[63:48] + 16, SS = STAR[63:48] + 8     (RPL forced to 3)
//   SYSRET (32-bit): CS = STAR[63:48],      SS = STAR[63:48] + 8
// That is why Linux writes (__USER32_CS << 16 | __KERNEL_CS) into STAR's high half, and why the
// GDT has to keep kernel CS, kernel DS and user32 CS, user DS, user CS in exactly this order.
inline constexpr uint16_t kStarSyscallBase = kKernelCs;
inline constexpr uint16_t kStarSysretBase = kUser32Cs;

static_assert(kStarSyscallBase + 8 == kKernelDs, "SYSCALL loads SS = STAR[47:32] + 8");
static_assert(((kStarSysretBase + 16) | 3) == kUserCs, "SYSRET loads CS = STAR[63:48] + 16");
static_assert(((kStarSysretBase + 8) | 3) == kUserDs, "SYSRET loads SS = STAR[63:48] + 8");

constexpr uint64_t star_value(uint16_t syscall_base, uint16_t sysret_base) {
    return uint64_t(sysret_base) << 48 | uint64_t(syscall_base) << 32;
}
inline constexpr uint64_t kStar = star_value(kStarSyscallBase, kStarSysretBase);
static_assert(kStar == 0x0023001000000000ull);

// Fields of a STAR value, for decoders and for the SYSRET rule checks.
constexpr uint16_t star_syscall_cs(uint64_t star) { return uint16_t(star >> 32); }
constexpr uint16_t star_syscall_ss(uint64_t star) { return uint16_t((star >> 32) + 8); }
constexpr uint16_t star_sysret_cs64(uint64_t star) { return uint16_t(((star >> 48) + 16) | 3); }
constexpr uint16_t star_sysret_ss(uint64_t star) { return uint16_t(((star >> 48) + 8) | 3); }
constexpr uint16_t star_sysret_cs32(uint64_t star) { return uint16_t((star >> 48) | 3); }

}  // namespace lstar::x86
