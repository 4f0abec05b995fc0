// /dev/kvm: the API version, the capabilities lstar needs (checked by name), supported CPUID, and
// which KVM implementation the host runs (a trace is read differently on kvm_pvm than on VT-x).
#pragma once
#include <linux/kvm.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "kvm/fd.hpp"

namespace lstar::kvm {

// KVM is missing, unusable, or lacks a capability: lstar cannot run a guest here.
struct KvmUnavailable : Error {
    explicit KvmUnavailable(const std::string& what) : Error(status::kKvmUnavailable, "KVM unavailable", what) {}
};

struct Capability {
    int id;
    const char* name;
};

// What lstar needs from KVM, by name, so a missing one can be reported as such.
extern const std::vector<Capability> kRequiredCapabilities;

struct HostKind {
    std::string module;       // "kvm_intel", "kvm_amd", "kvm_pvm" or "unknown"
    bool hardware;            // VT-x / AMD-V
    std::string description;  // one line for the log
    // KVM_CAP_SET_GUEST_DEBUG2: the KVM_GUESTDBG_* flags KVM_SET_GUEST_DEBUG accepts (0: this KVM
    // does not say, before Linux 5.15). Filled by the VM builder, which has /dev/kvm open.
    uint64_t guest_debug_flags = 0;
};
HostKind detect_host_kind();

class System {
public:
    explicit System(const std::string& path = "/dev/kvm");  // throws KvmUnavailable

    int fd() const { return fd_.get(); }
    int check_extension(int cap) const;  // KVM_CHECK_EXTENSION's answer
    void require(const std::vector<Capability>& caps) const;  // throws KvmUnavailable naming the first missing one
    int vcpu_mmap_size() const;
    std::vector<kvm_cpuid_entry2> supported_cpuid() const;
    int api_version() const { return api_version_; }

private:
    Fd fd_;
    int api_version_ = 0;
};

}  // namespace lstar::kvm
