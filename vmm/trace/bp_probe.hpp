// Which kind of breakpoint works on this KVM, found before the guest's first instruction.
//
// Hardware breakpoints (DR0-DR3 through KVM_SET_GUEST_DEBUG) are the first choice: nothing in the
// guest changes. They do not fire everywhere: QEMU 7.2's emulated AMD-V never arms the DR7 that
// VMRUN loads, so on the nested tier they stay silent. The probe puts DR0 and an int3 on the
// vCPU's first instruction and runs it once: where DR0 fires it does so before the instruction
// runs; where it does not, the int3 stops the guest instead (KVM_GUESTDBG_USE_SW_BP). Either
// way no guest instruction runs, and the byte goes back at once.
//
// kvm_pvm is not probed: its DR breakpoints fire in ring 0 and a ring-0 int3 ends KVM_RUN with an
// emulation failure there, so hardware breakpoints are the only kind it has.
#pragma once
#include <string>

#include "kvm/system.hpp"
#include "kvm/vcpu.hpp"
#include "memory/guest_memory.hpp"

namespace lstar::trace {

enum class BpKind { Hardware, Software, None };

struct BpChoice {
    BpKind kind = BpKind::Hardware;
    std::string host = "unknown";  // the KVM module, for messages
    std::string why;               // how the kind was chosen: one line for the log and the summary
};

// "hardware", "software", "none": the exit log's value.
const char* bp_kind_name(BpKind k);
// "hardware (DR0-DR3)", "software (int3)", "none": for people.
const char* bp_kind_text(BpKind k);

// Runs the probe (one KVM_RUN) unless the host kind decides. Leaves guest debugging off.
BpChoice choose_breakpoints(const kvm::HostKind& host, kvm::Vcpu& vcpu, GuestMemory& mem);

}  // namespace lstar::trace
