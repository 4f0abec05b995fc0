// What to do about one VM exit. A pure function of the typed exit: no KVM, no I/O, no state,
// so tests feed it made-up exits. The run loop carries the action out.
#pragma once
#include <string>

#include "kvm/exit.hpp"
#include "kvm/exit_action.hpp"

namespace lstar {

Decision dispatch(const VmExit& exit);
// The note for the exit log and stderr: d.note, or the unhandled access described from the exit.
std::string note_text(const VmExit& exit, const Decision& d);

}  // namespace lstar
