// The architectural rules for the MSRs lstar traps (SDM vol. 4; vol. 3A 2.2.1 for EFER), so that a
// guest WRMSR the hardware would refuse gets the guest a #GP from lstar too. Pure functions.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lstar::x86 {

// The MSRs `--msr-setup guest` traps: the syscall MSRs, the segment bases and SYSENTER.
const std::vector<uint32_t>& syscall_msrs();

const char* msr_name(uint32_t index);  // "IA32_LSTAR", or nullptr

// Why the hardware would raise #GP for WRMSR(index, value), or nullopt when the write is valid.
// cr0 and efer are the vCPU's current values (EFER.LME cannot change while paging is on).
std::optional<std::string> wrmsr_fault(uint32_t index, uint64_t value, uint64_t cr0, uint64_t efer);

// Is this MSR an address (LSTAR, CSTAR, the bases, SYSENTER_EIP/ESP)?
bool msr_holds_address(uint32_t index);

// "SCE LME LMA NXE" for EFER, the STAR fields, the FMASK flags; "" for addresses and others.
std::string describe_msr_value(uint32_t index, uint64_t value);

}  // namespace lstar::x86
