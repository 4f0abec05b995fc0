#include "boot/wall_clock.hpp"

#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <x86intrin.h>

#include <cstddef>
#include <ctime>

#include "boot_protocol.hpp"
#include "common/clock.hpp"

namespace lstar {

namespace {

constexpr uint32_t kMsrIa32Tsc = 0x10;

// The host TSC against CLOCK_MONOTONIC_RAW over 20 ms: a fallback for KVMs without
// KVM_CAP_GET_TSC_KHZ, good to a few hundred ppm.
uint64_t calibrate_host_tsc_khz() {
    const uint64_t t0 = clock_ns(CLOCK_MONOTONIC_RAW), c0 = __rdtsc();
    uint64_t t1;
    while ((t1 = clock_ns(CLOCK_MONOTONIC_RAW)) - t0 < 20000000) {
    }
    const uint64_t c1 = __rdtsc();
    return (c1 - c0) * 1000000ull / (t1 - t0);
}

}  // namespace

BootClock read_boot_clock(const kvm::Vcpu& vcpu) {
    BootClock c;
    const uint64_t before = clock_ns(CLOCK_REALTIME);
    c.tsc = vcpu.get_msrs({kMsrIa32Tsc})[0];
    const uint64_t after = clock_ns(CLOCK_REALTIME);
    c.wallclock_ns = before + (after - before) / 2;
    c.uncertainty_ns = (after - before) / 2;

    const int khz = ::ioctl(vcpu.fd(), KVM_GET_TSC_KHZ, 0);
    if (khz > 0) {
        c.tsc_khz = uint64_t(khz);
        c.khz_source = "KVM_GET_TSC_KHZ";
    } else {
        c.tsc_khz = calibrate_host_tsc_khz();
        c.khz_source = "host calibration (KVM_GET_TSC_KHZ failed): host RDTSC vs CLOCK_MONOTONIC_RAW over 20 ms";
    }
    return c;
}

void write_boot_clock(GuestMemory& mem, const BootClock& c) {
    mem.write<uint64_t>(boot::kBootInfoPhys + offsetof(boot::BootInfo, boot_wallclock_ns), c.wallclock_ns);
    mem.write<uint64_t>(boot::kBootInfoPhys + offsetof(boot::BootInfo, boot_tsc), c.tsc);
    mem.write<uint64_t>(boot::kBootInfoPhys + offsetof(boot::BootInfo, tsc_khz), c.tsc_khz);
}

}  // namespace lstar
