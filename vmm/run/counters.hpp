// What a run counts (exits by reason, syscalls by how they entered, exceptions) and the summary
// it prints at the end from those counts (docs/exit-log.md has the end record's fields).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/json.hpp"
#include "event_abi.hpp"
#include "kvm/exit.hpp"

namespace lstar {

struct Counters {
    uint64_t exits = 0;
    uint64_t guest_ns = 0;  // inside KVM_RUN
    uint64_t syscalls = 0, via_hardware = 0, via_pf_shim = 0, via_ud_shim = 0, exceptions = 0, bad_events = 0;
    std::optional<abi::ShutdownEvent> guest_counters;  // the kernel's own, at shutdown
    std::map<std::string, uint64_t> syscalls_by_name, exceptions_by_vector;

    void count_exit(const VmExit& e, std::string_view name) {
        ++exits;
        // By the variant's index: a name lookup per exit would cost more than the count.
        if (!by_kind_[e.kind.index()]++) kind_names_[e.kind.index()] = name;
    }
    void count_syscall_enter(const abi::SyscallEnterEvent& ev);
    std::map<std::string_view, uint64_t> exits_by_reason() const;  // by name, in name order

private:
    std::array<uint64_t, std::variant_size_v<ExitKind>> by_kind_{};
    std::array<std::string_view, std::variant_size_v<ExitKind>> kind_names_{};
};

// What the summary says besides the counts.
struct SummaryFacts {
    const char* reason;  // stop_reason_name()
    int status;
    uint64_t total_ns;
    bool foreign;        // a PVH or multiboot kernel: no guest events, no syscall counters
    bool guest_events;   // --no-guest-events: the kernel's own counters are shown instead
    std::string host_module;
    // The tracer's lines (--trace), given the debug exits and the syscalls the summary counts.
    std::function<std::string(uint64_t debug_exits, uint64_t syscalls)> traced;
    uint64_t dropped_records, dropped_bytes, log_limit;
    size_t seccomp_allowed;  // 0: no filter (--no-seccomp)
};

std::string summary_text(const Counters& c, const SummaryFacts& f);

// The end record's counts, after Records::end_head().
void add_end_counts(JsonObject& end, const Counters& c, uint64_t total_ns, size_t seccomp_allowed);

}  // namespace lstar
