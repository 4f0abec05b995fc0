// The interrupt descriptor table (compare Linux's arch/x86/kernel/idt.c).
//
// 256 gates; the 32 exception vectors point at their stubs in entry_64.S, and vector 0x80 at
// entry_INT80_compat with DPL 3, so that ring 3 may use `int $0x80` (Linux's IA32_SYSCALL_VECTOR).
// Any other vector (an interrupt this kernel never enables, or a user `int $n`, which the
// exception gates' DPL 0 also forbids) raises #GP, which does have a gate. All gates are interrupt gates
// (IF cleared on entry). #DF, NMI and #MC run on their own IST stacks (set up in cpu_tss), so that
// a broken kernel stack cannot turn them into a triple fault.
//
// The table is built at boot in one short loop (~20 emulated instructions per gate) rather than
// statically: a gate splits its handler's address into bit fields, which no relocation can do.
//
// The table (idt_table, in cpu_entry_area.S) is written here through the kernel image and loaded
// through its read-only alias in the cpu_entry_area: the CPU reads gates while CR3 may be the user
// page table (PTI), which maps nothing else of the kernel.
#include "idt.hpp"

#include "kernel.hpp"

#include "x86/descriptor.hpp"
#include "x86/exceptions.hpp"
#include "x86/selectors.hpp"

namespace lstar::kernel {

using namespace x86;

namespace {

Gate* const idt = reinterpret_cast<Gate*>(::idt_table);
static_assert(256 * sizeof(Gate) == 4096, "idt_table is one page");

struct __attribute__((packed)) DescPtr {
    uint16_t limit;
    uint64_t base;
};

constexpr unsigned kIstDoubleFault = 1, kIstNmi = 2, kIstMachineCheck = 3;  // cpu_tss.ist[0..2]

void load_idt(const DescPtr& p) { asm volatile("lidt %0" : : "m"(p) : "memory"); }

}  // namespace

void idt_setup_traps() {
    for (unsigned v = 0; v < 32; v++) {
        unsigned ist = v == kVecDF ? kIstDoubleFault : v == kVecNMI ? kIstNmi : v == kVecMC ? kIstMachineCheck : 0;
        idt[v] = idt_gate(exception_stubs[v], kKernelCs, 0, ist, kSysTypeIntGate);
    }
    idt[IA32_SYSCALL_VECTOR] = idt_gate(entry_points.int80, kKernelCs, 3, 0, kSysTypeIntGate);
    load_idt({4096 - 1, CEA_IDT});
}

void idt_invalidate() { load_idt({0, 0}); }

}  // namespace lstar::kernel
