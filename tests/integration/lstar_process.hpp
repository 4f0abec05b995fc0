// Run the lstar binary as a child process and collect what it did: stdout, stderr, exit status,
// and the exit log parsed line by line (every line must be valid JSON).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lstar::test {

struct Result {
    int status = -1;  // exit status, or 128 + signal
    std::string out, err;
    std::vector<nlohmann::json> log;  // the exit log's records, in order
    std::string log_error;            // why the log did not parse, "" when it did
    bool timed_out = false;           // lstar ran past run_timeout_s() and was killed (a failed check)
    std::string hung_where;           // then: its wait channel and kernel stack from /proc
};

// How long one lstar run may take before it is killed (LSTAR_TEST_RUN_TIMEOUT seconds, else 240).
int run_timeout_s();

// The host's KVM implementation: "kvm_intel", "kvm_amd", "kvm_pvm" or "unknown" (as lstar names it).
std::string kvm_kind();
// SYSCALL, gates and ring 0 behave as the manuals say (VT-x, AMD-V, and the nested AMD-V tier).
inline bool hardware_semantics() { return kvm_kind() == "kvm_intel" || kvm_kind() == "kvm_amd"; }
// The "via" label a guest event must carry for a door ("syscall", "int80") on this KVM kind:
// "hardware" where the CPU entered the kernel itself, else the guest kernel's shim that completed it.
inline std::string expected_via(const std::string& door) {
    if (hardware_semantics()) return "hardware";
    return door == "int80" ? "ud_shim" : "pf_shim";
}

// Runs `lstar ARGS...`, with an exit log in a temporary file unless with_log is false.
// If send_signal is non-zero it is sent to lstar after signal_after_ms.
Result run_lstar(std::vector<std::string> args, bool with_log = true, int send_signal = 0, int signal_after_ms = 0);

// Runs `lstar ARGS...` and sends it `signal` once its stdout or stderr contains `text`: a test that
// stops a guest at a point waits for the point, not for a delay a slower KVM may not meet.
Result run_lstar_until(std::vector<std::string> args, const std::string& text, int signal, bool with_log = true);

// Runs `lstar ARGS...` with its stdin read from the file at stdin_path (every other run gets
// /dev/null, so that no test reads the terminal it was started from).
Result run_lstar_stdin(std::vector<std::string> args, const std::string& stdin_path, bool with_log = true);

// Records of one type ("exit", "event", "setup", "end", "fault"), and events of one kind.
std::vector<nlohmann::json> records(const Result& r, const std::string& type);
std::vector<nlohmann::json> events(const Result& r, const std::string& event);

// A "0x..." value from the exit log.
uint64_t hex(const nlohmann::json& j);

// The exit log is complete: valid JSON throughout, the setup record first, the end record last
// with this reason (doctest checks; include doctest before calling it).
void check_complete_log(const Result& r, const char* reason);

// Where the user programs and the kernel were built (for disassembly checks).
std::string build_dir();

// True when /dev/kvm can be used. With CI=true, a missing KVM is a failure, not a skip.
bool kvm_usable();

}  // namespace lstar::test
