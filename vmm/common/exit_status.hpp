// lstar's exit status: the guest's own status when the guest ended the run, otherwise one
// distinct code per way a run can fail (docs/exit-status.md). The codes avoid 128+N for the
// signals a killed guest program reports (SIGILL 132, SIGTRAP 133, SIGFPE 136, SIGSEGV 139).
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
