// A VM: its descriptor, guest RAM registered as memory slot 0, and its vCPU.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "kvm/fd.hpp"
#include "kvm/system.hpp"
#include "kvm/vcpu.hpp"
#include "memory/guest_memory.hpp"

namespace lstar::kvm {

class Vm {
public:
    explicit Vm(const System& sys);

    int fd() const { return fd_.get(); }
    // Register [0, mem.size()) of guest-physical space; mem must outlive the VM.
    void add_memory(const GuestMemory& mem, unsigned slot = 0);
    std::unique_ptr<Vcpu> create_vcpu(const System& sys, unsigned id = 0);
    // Send every guest RDMSR and WRMSR of these MSRs to user space (KVM_EXIT_X86_RDMSR/WRMSR),
    // with KVM_CAP_X86_USER_SPACE_MSR and KVM_X86_SET_MSR_FILTER; all other MSRs stay with KVM.
    void trap_msrs(const std::vector<uint32_t>& msrs);

private:
    Fd fd_;
};

}  // namespace lstar::kvm
