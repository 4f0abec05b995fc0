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
    // The in-kernel local APIC, IOAPIC and 8259 PICs (KVM_CREATE_IRQCHIP) and the 8254 timer
    // (KVM_CREATE_PIT2), before the first vCPU. The TSS and identity-map pages KVM needs on VMX
    // for real-mode emulation go at 0xfffbc000-0xfffc0000, as in Firecracker and QEMU: above any
    // guest RAM lstar gives a 32-bit boot (3 GiB) and below the 4 GiB boundary.
    void create_irqchip(const System& sys);
    // KVM_IRQ_LINE: an ISA interrupt line's level, to the in-kernel PICs and IOAPIC.
    void irq_line(unsigned irq, bool level);
    static constexpr uint64_t kIdentityMapAddr = 0xfffbc000, kTssAddr = 0xfffbd000;

private:
    Fd fd_;
};

}  // namespace lstar::kvm
