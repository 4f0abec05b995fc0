#include "boot/gdt.hpp"

#include "x86/descriptor.hpp"

namespace lstar {

Gdt build_boot_gdt(uint64_t tss_base) {
    using namespace x86;
    Gdt gdt{};
    gdt[kGdtKernel32Cs] = code32_descriptor(0);
    gdt[kGdtKernelCs] = code64_descriptor(0);
    gdt[kGdtKernelDs] = data_descriptor(0);
    gdt[kGdtUser32Cs] = code32_descriptor(3);
    gdt[kGdtUserDs] = data_descriptor(3);
    gdt[kGdtUserCs] = code64_descriptor(3);
    // Busy, as LTR would have left it: the monitor loads TR directly (KVM_SET_SREGS), not the guest.
    auto tss = tss_descriptor(tss_base, sizeof(Tss64) - 1, kSysTypeTss64Busy);
    gdt[kGdtTss] = tss.low;
    gdt[kGdtTss + 1] = tss.high;
    // Linux's setup_getcpu(): CPU 0 on node 0, for the vDSO's getcpu (LSL from ring 3).
    gdt[kGdtCpunode] = cpunode_descriptor(0, 0);
    return gdt;
}

}  // namespace lstar
