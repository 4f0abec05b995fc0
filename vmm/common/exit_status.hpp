// lstar's exit status: the guest's own status when the guest ended the run, otherwise one
// distinct code per way a run can fail (docs/exit-status.md). The codes avoid 128+N for the
// signals a killed guest program reports (SIGILL 132, SIGTRAP 133, SIGFPE 136, SIGSEGV 139).
// exit_status() below is the one mapping from a stop to its status; every error (common/error.hpp)
// carries its own.
#pragma once

namespace lstar::status {
inline constexpr int kUsage = 64;            // bad command line (sysexits EX_USAGE)
inline constexpr int kBadImage = 65;         // the image cannot be booted (EX_DATAERR)
inline constexpr int kKvmUnavailable = 69;   // no /dev/kvm, no permission, missing capability (EX_UNAVAILABLE)
inline constexpr int kInternal = 70;         // a bug or an unexpected KVM failure in lstar (EX_SOFTWARE)
inline constexpr int kIoError = 74;          // the exit log could not be written (EX_IOERR)
inline constexpr int kTripleFault = 112;     // KVM_EXIT_SHUTDOWN
inline constexpr int kEmulationFailure = 113;  // KVM_EXIT_INTERNAL_ERROR
inline constexpr int kGuestHalted = 114;     // HLT with nothing left to wake the vCPU
inline constexpr int kUnexpectedExit = 115;  // FAIL_ENTRY, unknown reasons, unhandled debug exits
inline constexpr int kSeccompViolation = 116;  // the run loop made a system call its seccomp filter forbids
inline constexpr int kTimeout = 124;         // --timeout expired (as timeout(1))
inline constexpr int kSigint = 130;          // Ctrl-C (128 + SIGINT, as shells report it)
inline constexpr int kSigterm = 143;         // 128 + SIGTERM
}  // namespace lstar::status

namespace lstar {

// Every way a run can stop (besides an error a layer throws, which carries its own status).
enum class StopReason {
    GuestExit,          // the guest wrote its status to the exit port (or powered off)
    TripleFault,        // KVM_EXIT_SHUTDOWN
    EmulationFailure,   // KVM_EXIT_INTERNAL_ERROR
    Halted,             // HLT, and nothing can wake the vCPU
    Timeout,            // --timeout
    Interrupted,        // SIGINT / SIGTERM, or killed from gdb
    UnexpectedExit,     // FAIL_ENTRY, unknown exit reasons, debug exits nobody asked for
    LogError,           // the exit log could not be written
    SeccompViolation,   // the monitor made a system call its seccomp filter forbids (run/seccomp.hpp)
};
const char* stop_reason_name(StopReason r);  // "guest_exit", "triple_fault", ... (the end record's reason)

// The one mapping from a stop to lstar's exit status. detail: the guest's own status for
// GuestExit (its low 8 bits count), the signal for Interrupted (SIGINT, SIGTERM); unused otherwise.
int exit_status(StopReason reason, int detail = 0);

}  // namespace lstar
