#include "kvm/vm.hpp"

#include <stdexcept>

#include "kvm/ioctl.hpp"

namespace lstar::kvm {

Vm::Vm(const System& sys) : fd_(KVM_CHECKED(sys.fd(), KVM_CREATE_VM, 0)) {}

void Vm::add_memory(const GuestMemory& mem, unsigned slot) {
    kvm_userspace_memory_region region{};
    region.slot = slot;
    region.guest_phys_addr = 0;
    region.memory_size = mem.size();
    region.userspace_addr = reinterpret_cast<uint64_t>(mem.host_base());
    KVM_CHECKED(fd_.get(), KVM_SET_USER_MEMORY_REGION, &region);
}

std::unique_ptr<Vcpu> Vm::create_vcpu(const System& sys, unsigned id) {
    Fd fd(KVM_CHECKED(fd_.get(), KVM_CREATE_VCPU, id));
    return std::make_unique<Vcpu>(std::move(fd), sys.vcpu_mmap_size());
}

void Vm::create_irqchip(const System& sys) {
    if (sys.check_extension(KVM_CAP_SET_IDENTITY_MAP_ADDR)) {
        uint64_t addr = kIdentityMapAddr;
        KVM_CHECKED(fd_.get(), KVM_SET_IDENTITY_MAP_ADDR, &addr);
    }
    if (sys.check_extension(KVM_CAP_SET_TSS_ADDR)) KVM_CHECKED(fd_.get(), KVM_SET_TSS_ADDR, kTssAddr);
    KVM_CHECKED(fd_.get(), KVM_CREATE_IRQCHIP, 0);
    kvm_pit_config pit{};
    pit.flags = KVM_PIT_SPEAKER_DUMMY;  // port 0x61 answered in the kernel, no speaker
    KVM_CHECKED(fd_.get(), KVM_CREATE_PIT2, &pit);
}

void Vm::irq_line(unsigned irq, bool level) {
    kvm_irq_level l{};
    l.irq = irq;
    l.level = level ? 1 : 0;
    KVM_CHECKED(fd_.get(), KVM_IRQ_LINE, &l);
}

void Vm::trap_msrs(const std::vector<uint32_t>& msrs) {
    kvm_enable_cap cap{};
    cap.cap = KVM_CAP_X86_USER_SPACE_MSR;
    cap.args[0] = KVM_MSR_EXIT_REASON_FILTER;
    KVM_CHECKED(fd_.get(), KVM_ENABLE_CAP, &cap);

    // One range per MSR, its single bitmap bit 0: "denied", which with the capability above means
    // "exit to user space" rather than #GP.
    if (msrs.size() > KVM_MSR_FILTER_MAX_RANGES) throw std::invalid_argument("too many MSRs to trap");
    static const uint8_t deny = 0;
    kvm_msr_filter filter{};
    filter.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
    for (size_t i = 0; i < msrs.size(); ++i)
        filter.ranges[i] = {KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE, 1, msrs[i], const_cast<uint8_t*>(&deny)};
    KVM_CHECKED(fd_.get(), KVM_X86_SET_MSR_FILTER, &filter);
}

}  // namespace lstar::kvm
