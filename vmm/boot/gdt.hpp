// The boot GDT in Linux's x86-64 layout (shared/x86/selectors.hpp).
#pragma once
#include <array>
#include <cstdint>

#include "x86/selectors.hpp"

namespace lstar {

using Gdt = std::array<uint64_t, x86::kGdtEntries>;

// Null, kernel32 CS, kernel CS, kernel DS, user32 CS, user DS, user CS, TSS (entries 8-9, busy,
// since the monitor loads TR directly), CPUNODE (entry 15: cpu 0, node 0).
Gdt build_boot_gdt(uint64_t tss_base);

}  // namespace lstar
