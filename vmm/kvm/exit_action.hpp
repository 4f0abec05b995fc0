// What the monitor does about one typed exit (kvm/exit.hpp): continue, print, read an event record,
// complete a read or an MSR access, or stop with a reason and an exit status. Devices, the
// dispatcher and the run loop share these types; the run loop carries the action out.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "common/exit_status.hpp"

namespace lstar {

namespace actions {
struct Continue {};
struct ConsoleOut {  // bytes for lstar's standard output (debugcon port)
    std::span<const uint8_t> bytes;
};
struct ReadEvent {  // read and handle the event record at this guest-physical address
    uint64_t gpa;
};
struct CompleteRead {  // an IN or an MMIO read nobody serves: the guest reads this (all ones)
    uint64_t value;
    std::vector<uint8_t> bytes = {};  // when not empty: the whole IN data area (a device's rep ins)
};
struct MsrAccess {  // complete a trapped RDMSR/WRMSR: through KVM, or with a #GP when fault is set
    bool write;
    uint32_t index;
    uint64_t value;
    std::optional<std::string> fault;  // why the hardware would refuse the write
};
struct Stop {
    StopReason reason;
    int status;  // lstar's exit status (common/exit_status.hpp) or the guest's own
};
}  // namespace actions

using Action = std::variant<actions::Continue, actions::ConsoleOut, actions::ReadEvent, actions::CompleteRead,
                            actions::MsrAccess, actions::Stop>;

struct Decision {
    Action action;
    std::string note;  // why, for the exit log: "KVM internal error ...", "" when routine
    // A port or MMIO access nobody serves. Its note ("MMIO write to 0x40000000 ... ignored") is
    // built by note_text() only when something shows it: a guest polling an absent device makes
    // one such exit per access, and with the exit log off most of them are shown nowhere.
    bool unhandled_access = false;
};

}  // namespace lstar
