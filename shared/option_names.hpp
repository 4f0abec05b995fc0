// The names of the options that cross the VM boundary, once: the monitor's command line (--entry,
// --msr-setup, --vsyscall), the kernel command line it writes (lstar.entry=, vsyscall=), the
// guest kernel that parses it, the exit log and the reports all use these tables.
// Freestanding: the guest kernel includes it.
#pragma once
#include <cstdint>

#include "event_abi.hpp"

namespace lstar::vdso {

// The vsyscall= modes (Linux's enum vsyscall_mode minus the long-gone "native").
enum class VsyscallMode : uint32_t {
    Emulate = 0,  // page readable (NX); a call faults and the kernel emulates it
    Xonly = 1,    // page not mapped: a call faults and is emulated; a read is a segfault (Linux's default)
    None = 2,     // page not mapped, no emulation: a call is a segfault
};

}  // namespace lstar::vdso

namespace lstar::abi {

template <class E>
struct Named {
    E value;
    const char* name;
};

// Who programs EFER.SCE, STAR, LSTAR, FMASK and KERNEL_GS_BASE (--msr-setup; BootInfo's
// kFlagMsrsByMonitor tells the guest).
enum class MsrSetup : uint32_t {
    Monitor = 0,  // lstar's 64-bit protocol: the monitor writes them before the first instruction
    Guest = 1,    // PVH entry: the kernel builds long mode and writes them itself; the monitor traps them
};

// The first entry of each table is the default.
inline constexpr Named<EntryMode> kEntryModes[] = {
    {EntryMode::Direct, "direct"}, {EntryMode::Pti, "pti"}, {EntryMode::PtiPcid, "pti-pcid"}};
inline constexpr Named<MsrSetup> kMsrSetups[] = {{MsrSetup::Monitor, "monitor"}, {MsrSetup::Guest, "guest"}};
// In the order of the --vsyscall help; the kernel's default (no vsyscall= given) is xonly, as Linux.
inline constexpr Named<vdso::VsyscallMode> kVsyscallModes[] = {
    {vdso::VsyscallMode::Emulate, "emulate"}, {vdso::VsyscallMode::Xonly, "xonly"}, {vdso::VsyscallMode::None, "none"}};
inline constexpr vdso::VsyscallMode kVsyscallDefault = vdso::VsyscallMode::Xonly;

// The name of a value, "?" for one the table does not hold (a hostile event record's field).
template <class E, unsigned N>
constexpr const char* name_of(const Named<E> (&table)[N], E value) {
    for (const auto& e : table)
        if (e.value == value) return e.name;
    return "?";
}

}  // namespace lstar::abi
