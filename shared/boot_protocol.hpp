// lstar's own 64-bit boot protocol: what the monitor sets up before the guest kernel's first
// instruction, and the boot-information page it hands over. Documented in docs/boot-protocol.md.
#pragma once
#include <cstdint>

namespace lstar::boot {

// Guest-physical layout of what the monitor builds. Page 0 is never used.
inline constexpr uint64_t kBootInfoPhys = 0x1000;   // struct BootInfo
inline constexpr uint64_t kGdtPhys = 0x2000;        // the boot GDT (x86::kGdtEntries descriptors)
inline constexpr uint64_t kPageTablesPhys = 0x10000;  // boot page tables, kPageTablesMax pages
inline constexpr uint64_t kPageTablesMax = 16;
inline constexpr uint64_t kLowReservedEnd = 0x100000;  // the kernel image may start at 1 MiB or above
// The first program's argv and envp (ArgsHeader, then the strings), when BootInfo.args_phys says so.
inline constexpr uint64_t kArgsPhys = 0x20000;
inline constexpr uint64_t kArgsMax = 0x9000;  // header included: 36 KiB, up to 0x29000

// Virtual layout (as Linux x86-64): the kernel image is linked at __START_KERNEL_map + physical
// address; all RAM is also mapped at PAGE_OFFSET (the "direct map", non-executable).
inline constexpr uint64_t kStartKernelMap = 0xffffffff80000000ull;
inline constexpr uint64_t kPageOffset = 0xffff888000000000ull;
inline constexpr uint64_t kKernelMapMax = 1ull << 30;  // the kernel map covers at most 1 GiB of RAM

// User address space (what the guest kernel gives its processes).
inline constexpr uint64_t kUserStackTop = 0x00007ffffffff000ull;
inline constexpr uint64_t kUserMax = 0x00007ffffffff000ull;  // TASK_SIZE_MAX

// Entry state: 64-bit mode, paging on (CR3 = boot_pml4_phys), CS = __KERNEL_CS, DS/ES/SS =
// __KERNEL_DS, FS = GS = 0, TR = the kernel's cpu_tss, RFLAGS = 0x2 (interrupts off),
// RDI = physical address of BootInfo, RSI = kBootMagic. RSP is undefined: the kernel sets its own.
inline constexpr uint64_t kBootMagic = 0x4c53544152424f4full;  // "LSTARBOO"
inline constexpr uint32_t kBootInfoMagic = 0x4942534c;          // "LSBI"
inline constexpr uint32_t kBootInfoVersion = 1;

// The ELF note (owner "lstar", type kNoteType) that marks an image as speaking this protocol.
inline constexpr uint32_t kNoteType = 0x4c53;

// BootInfo.flags
inline constexpr uint64_t kFlagGuestEvents = 1ull << 0;  // report syscalls and exceptions on the event port
inline constexpr uint64_t kFlagMsrsByMonitor = 1ull << 1;  // EFER.SCE/STAR/LSTAR/FMASK/KERNEL_GS_BASE already set

inline constexpr unsigned kCmdlineMax = 1024;

// The argument block at BootInfo.args_phys: argv and envp byte for byte, without the command
// line's word splitting. After the header, `size` bytes: argc NUL-terminated strings (argv[0] is
// the program's path), then envc more (NAME=VALUE). The kernel checks every count and length.
inline constexpr uint32_t kArgsMagic = 0x5241534c;  // "LSAR"
struct ArgsHeader {
    uint32_t magic;
    uint32_t argc;  // at least 1
    uint32_t envc;
    uint32_t size;  // bytes of strings after the header, at most kArgsMax - sizeof(ArgsHeader)
};

struct BootInfo {
    uint32_t magic;
    uint32_t version;
    uint64_t flags;
    uint64_t ram_bytes;
    uint64_t kernel_phys_start;  // [start, end) of the loaded kernel image
    uint64_t kernel_phys_end;
    uint64_t free_phys_start;  // [start, end): zero-filled RAM the kernel may allocate
    uint64_t free_phys_end;
    uint64_t boot_pml4_phys;
    uint64_t gdt_phys;
    // The initial RAM filesystem (a cpio "newc" archive), page-aligned, inside RAM and outside
    // [free_phys_start, free_phys_end); 0/0 when there is none.
    uint64_t initrd_phys;
    uint64_t initrd_size;
    // The wall clock handed over at boot: CLOCK_REALTIME (ns since the epoch) taken by the monitor
    // when the guest's TSC read boot_tsc, and the TSC frequency; 0 when unknown.
    uint64_t boot_wallclock_ns;
    uint64_t boot_tsc;
    uint64_t tsc_khz;
    // 64 random bits from the host (getrandom(2)): the kernel's seed for AT_RANDOM and getrandom().
    uint64_t random_seed;
    // The first program's arguments (ArgsHeader at kArgsPhys); 0: take them from the command line.
    uint64_t args_phys;
    char cmdline[kCmdlineMax];  // NUL-terminated kernel command line
};
static_assert(sizeof(BootInfo) <= 4096);
static_assert(__builtin_offsetof(BootInfo, cmdline) == 128);

}  // namespace lstar::boot
