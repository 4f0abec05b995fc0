#include "kvm/vm.hpp"

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

}  // namespace lstar::kvm
