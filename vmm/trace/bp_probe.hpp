// Which kind of breakpoint works on this KVM, found before the guest's first instruction.
//
// Hardware breakpoints (DR0-DR3 through KVM_SET_GUEST_DEBUG) are the first choice: nothing in the
// guest changes. They do not fire everywhere: QEMU 7.2's emulated AMD-V never arms the DR7 that
// VMRUN loads, so on the nested tier they stay silent. There, software breakpoints
// (code_patches.hpp; int3 and int1 are not intercepted there, measured): a hlt byte in lstar's own
// VMs (no in-kernel interrupt controller), an `out 0xef, al` for a foreign kernel (Linux runs with
// KVM's LAPIC, and KVM then halts the vCPU itself on a hlt).
//
// The probe puts DR0 and the patch on the vCPU's first instruction and runs it once: where DR0
// fires it does so before the instruction runs; where it does not, the patch stops the guest
// instead. Either way no guest instruction runs, and the bytes go back at once.
//
// kvm_pvm is not probed: its DR breakpoints fire in ring 0, the only kind it has.
#pragma once
#include <string>

#include "kvm/system.hpp"
#include "kvm/vcpu.hpp"
#include "memory/guest_memory.hpp"
#include "trace/code_patches.hpp"

namespace lstar::trace {

enum class BpKind { Hardware, Software, None };

struct BpChoice {
    BpKind kind = BpKind::Hardware;
    PatchInsn patch = kHlt;        // Software: the instruction written over a breakpoint
    // KVM_GUESTDBG_BLOCKIRQ is there: a single step does not land in an interrupt handler (a
    // foreign kernel's timer), so a path counts the syscall's own instructions only.
    bool block_irq = false;
    std::string host = "unknown";  // the KVM module, for messages
    std::string why;               // how the kind was chosen: one line for the log and the summary
};

// "hardware", "software", "none": the exit log's value.
const char* bp_kind_name(BpKind k);
// "hardware (DR0-DR3)", "software (hlt)", "software (out 0xef)", "none": for people.
std::string bp_text(const BpChoice& c);

// Runs the probe (one KVM_RUN) unless the host kind decides. Leaves guest debugging off.
// hlt_exits: a guest hlt ends KVM_RUN (no in-kernel interrupt controller), so hlt can be a
// breakpoint; otherwise the software kind is `out 0xef, al`.
BpChoice choose_breakpoints(const kvm::HostKind& host, kvm::Vcpu& vcpu, GuestMemory& mem, bool hlt_exits);

}  // namespace lstar::trace
