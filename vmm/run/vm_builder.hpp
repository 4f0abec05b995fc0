// Building the VM (compare Firecracker's builder): guest RAM, the VM and its one vCPU, the
// in-kernel interrupt controllers for foreign kernels, the MSR traps of --msr-setup guest, and the
// boot state of the chosen protocol. What it returns is ready for its first KVM_RUN.
#pragma once
#include <memory>

#include "boot/boot_state.hpp"
#include "boot/kernel_image.hpp"
#include "kvm/system.hpp"
#include "kvm/vcpu.hpp"
#include "kvm/vm.hpp"
#include "memory/guest_memory.hpp"

namespace lstar {

struct Machine {
    Machine(KernelImage kernel, uint64_t ram_bytes, kvm::System& sys)
        : image(std::move(kernel)), mem(ram_bytes), vm(sys) {}
    KernelImage image;
    GuestMemory mem;
    kvm::Vm vm;
    std::unique_ptr<kvm::Vcpu> vcpu;
    kvm::HostKind host;
    BootState boot;
};

// Throws the boot layer's BadImage and UsageError, and kvm::KvmUnavailable.
std::unique_ptr<Machine> build_machine(KernelImage image, uint64_t ram_bytes, kvm::System& sys, BootOptions boot_opts);

}  // namespace lstar
