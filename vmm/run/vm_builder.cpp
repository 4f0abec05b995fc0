#include "run/vm_builder.hpp"

#include <sys/random.h>

#include <cerrno>
#include <system_error>

#include "boot/foreign_boot.hpp"
#include "cpu/msr_rules.hpp"
#include "run/timings.hpp"

namespace lstar {

std::unique_ptr<Machine> build_machine(KernelImage image, uint64_t ram_bytes, kvm::System& sys, BootOptions boot_opts) {
    auto m = std::make_unique<Machine>(std::move(image), ram_bytes, sys);
    timings::mark("vm");  // KVM_CREATE_VM, and guest RAM mmap()ed
    m->host = kvm::detect_host_kind();
    if (int f = sys.check_extension(KVM_CAP_SET_GUEST_DEBUG2); f > 0) m->host.guest_debug_flags = uint64_t(f);
    m->vm.add_memory(m->mem);
    timings::mark("memory");
    // Foreign kernels get the in-kernel interrupt controllers and timer, as on a PC. lstar's own
    // protocols keep none: there a HLT exits to the monitor, which names a guest that halted.
    const bool foreign = is_foreign(boot_opts.protocol);
    if (foreign) {
        if (m->mem.size() > bootdata::kForeignRamMax) plan_boot_data(m->mem.size(), 0, "", {});  // refuse early
        m->vm.create_irqchip(sys);
    }
    m->vcpu = m->vm.create_vcpu(sys);
    timings::mark("vcpu");
    if (::getrandom(&boot_opts.random_seed, sizeof boot_opts.random_seed, 0) != sizeof boot_opts.random_seed)
        throw std::system_error(errno, std::generic_category(), "getrandom");
    // Linux writes its syscall MSRs itself (syscall_init()): trapped, so that --trace msr shows them
    // and the KASLR slide is found at the WRMSR of LSTAR.
    if (boot_opts.msr_setup == MsrSetup::Guest || boot_opts.protocol == Protocol::Linux) {
        sys.require({{KVM_CAP_X86_USER_SPACE_MSR, "KVM_CAP_X86_USER_SPACE_MSR"},
                     {KVM_CAP_X86_MSR_FILTER, "KVM_CAP_X86_MSR_FILTER"}});
        m->vm.trap_msrs(x86::syscall_msrs());
    }
    m->boot = setup_boot(*m->vcpu, m->mem, m->image, boot_opts, sys.supported_cpuid());
    timings::mark("load");
    return m;
}

}  // namespace lstar
