// The interrupt descriptor table (compare Linux's arch/x86/kernel/idt.c).
//
// 256 gates; only the 32 exception vectors are filled, each pointing at its stub in entry_64.S.
// A vector without a gate (an interrupt this kernel never enables, or a user `int $n`, which the
// gates' DPL 0 also forbids) raises #GP, which does have a gate. All gates are interrupt gates
// (IF cleared on entry). #DF, NMI and #MC run on their own IST stacks (set up in cpu_tss), so that
// a broken kernel stack cannot turn them into a triple fault.
//
// The table is built at boot in one short loop (~20 emulated instructions per gate) rather than
// statically: a gate splits its handler's address into bit fields, which no relocation can do.
#include "idt.hpp"

#include "x86/descriptor.hpp"
#include "x86/exceptions.hpp"
#include "x86/selectors.hpp"

extern "C" const uint64_t exception_stubs[32];  // entry_64.S

namespace lstar::kernel {

using namespace x86;

namespace {

alignas(4096) Gate idt_table[256];

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
        idt_table[v] = idt_gate(exception_stubs[v], kKernelCs, 0, ist, kSysTypeIntGate);
    }
    load_idt({sizeof(idt_table) - 1, reinterpret_cast<uint64_t>(idt_table)});
}

void idt_invalidate() { load_idt({0, 0}); }

}  // namespace lstar::kernel
