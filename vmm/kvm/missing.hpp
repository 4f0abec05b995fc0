// Why a KVM device cannot be opened, told from what the kernel shows in /sys/module and /proc/misc
// (dmesg may not be readable): a machine that is itself a PVM guest, no KVM module at all, kvm
// without a vendor module, or a device that is registered but has no node at the path given.
#pragma once
#include <optional>
#include <string>

namespace lstar::kvm {

struct KvmModules {
    bool kvm = false, kvm_intel = false, kvm_amd = false, kvm_pvm = false;  // /sys/module/NAME exists
    // The minor of a "kvm" line in /proc/misc: some KVM implementation registered /dev/kvm.
    // Empty when there is none; unknown (misc_readable false) when /proc/misc could not be read.
    std::optional<int> misc_minor;
    bool misc_readable = false;
};

// root is prepended to /sys/module and /proc/misc ("" on a real system; a fake tree in tests).
KvmModules probe_kvm_modules(const std::string& root = "");

// What to do about a device path that does not exist (ENOENT, or ENXIO/ENODEV for a node with no
// driver behind it): one sentence for the "KVM unavailable" error.
std::string explain_missing_device(const std::string& path, const KvmModules& m);

}  // namespace lstar::kvm
