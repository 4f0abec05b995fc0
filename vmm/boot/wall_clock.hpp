// The wall clock the monitor hands to the guest kernel (BootInfo.boot_wallclock_ns, boot_tsc,
// tsc_khz; docs/boot-protocol.md): CLOCK_REALTIME paired with a guest TSC reading, and the TSC
// frequency. The guest's vDSO and clock syscalls count from there with the TSC.
#pragma once
#include <cstdint>
#include <string>

#include "kvm/vcpu.hpp"
#include "memory/guest_memory.hpp"

namespace lstar {

struct BootClock {
    uint64_t wallclock_ns = 0;  // CLOCK_REALTIME, ns since the epoch, when the guest TSC read tsc
    uint64_t tsc = 0;           // the guest's IA32_TSC (KVM_GET_MSRS)
    uint64_t tsc_khz = 0;
    uint64_t uncertainty_ns = 0;  // half the time the KVM_GET_MSRS took: how far wallclock_ns may be off
    std::string khz_source;       // "KVM_GET_TSC_KHZ" or "host calibration (...)"
};

// Read the guest TSC with KVM_GET_MSRS(IA32_TSC) between two CLOCK_REALTIME readings and take their
// midpoint; the frequency from KVM_GET_TSC_KHZ, or else calibrated against CLOCK_MONOTONIC_RAW
// with the host's RDTSC (KVM runs the guest TSC at the host's rate unless told otherwise).
BootClock read_boot_clock(const kvm::Vcpu& vcpu);

// Store it in the BootInfo already written at boot::kBootInfoPhys.
void write_boot_clock(GuestMemory& mem, const BootClock& c);

}  // namespace lstar
