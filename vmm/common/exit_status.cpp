#include "common/exit_status.hpp"

#include <csignal>

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

int exit_status(StopReason reason, int detail) {
    switch (reason) {
    case StopReason::GuestExit: return detail & 0xff;
    case StopReason::TripleFault: return status::kTripleFault;
    case StopReason::EmulationFailure: return status::kEmulationFailure;
    case StopReason::Halted: return status::kGuestHalted;
    case StopReason::Timeout: return status::kTimeout;
    case StopReason::Interrupted: return detail == SIGTERM ? status::kSigterm : status::kSigint;
    case StopReason::UnexpectedExit: return status::kUnexpectedExit;
    case StopReason::LogError: return status::kIoError;
    case StopReason::SeccompViolation: return status::kSeccompViolation;
    }
    return status::kInternal;
}

}  // namespace lstar
