// A VM: its descriptor, guest RAM registered as memory slot 0, and its vCPU.
#pragma once
#include <memory>

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

private:
    Fd fd_;
};

}  // namespace lstar::kvm
