#include "kvm/exit_action.hpp"

namespace lstar {

const char* stop_reason_name(StopReason r) {
    switch (r) {
    case StopReason::GuestExit: return "guest_exit";
    case StopReason::TripleFault: return "triple_fault";
    case StopReason::EmulationFailure: return "emulation_failure";
    case StopReason::Halted: return "halted";
    case StopReason::Timeout: return "timeout";
    case StopReason::Interrupted: return "interrupted";
    case StopReason::UnexpectedExit: return "unexpected_exit";
    case StopReason::LogError: return "log_error";
    case StopReason::SeccompViolation: return "seccomp_violation";
    }
    return "?";
}

}  // namespace lstar
