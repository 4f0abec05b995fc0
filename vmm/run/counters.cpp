#include "run/counters.hpp"

#include <cstdio>

#include "run/seccomp.hpp"

namespace lstar {

namespace {
std::string ms(uint64_t ns) {
    char b[32];
    std::snprintf(b, sizeof b, "%.3f ms", double(ns) / 1e6);
    return b;
}
}  // namespace

void Counters::count_syscall_enter(const abi::SyscallEnterEvent& ev) {
    ++syscalls;
    (ev.via == abi::EntryVia::Hardware ? via_hardware : ev.via == abi::EntryVia::UdShim ? via_ud_shim : via_pf_shim)++;
}

std::map<std::string_view, uint64_t> Counters::exits_by_reason() const {
    std::map<std::string_view, uint64_t> m;
    for (size_t i = 0; i < by_kind_.size(); ++i)
        if (by_kind_[i]) m[kind_names_[i]] += by_kind_[i];
    return m;
}

void add_end_counts(JsonObject& end, const Counters& c, uint64_t total_ns, size_t seccomp_allowed) {
    std::string by = "{";
    for (auto& [k, v] : c.exits_by_reason()) by += (by.size() > 1 ? ",\"" : "\"") + std::string(k) + "\":" + std::to_string(v);
    by += "}";
    end.num("exits", c.exits).raw("exits_by_reason", by).num("total_ns", total_ns).num("guest_ns", c.guest_ns)
        .num("monitor_ns", total_ns - c.guest_ns).num("syscalls", c.syscalls).num("via_hardware", c.via_hardware)
        .num("via_pf_shim", c.via_pf_shim).num("via_ud_shim", c.via_ud_shim).num("exceptions", c.exceptions)
        .num("bad_events", c.bad_events).num("seccomp", seccomp_allowed > 0).num("seccomp_allowed", seccomp_allowed);
}

std::string summary_text(const Counters& c, const SummaryFacts& f) {
    std::string by_text;
    auto by_reason = c.exits_by_reason();
    for (auto& [k, v] : by_reason) by_text += (by_text.empty() ? "" : ", ") + std::string(k) + " " + std::to_string(v);
    std::string s = "lstar summary: " + std::string(f.reason) + ", exit status " + std::to_string(f.status) + ", " +
                    ms(f.total_ns) + " from first KVM_RUN\n";
    s += "  exits        " + std::to_string(c.exits) + " (" + by_text + ")\n";
    s += "  time         " + ms(c.guest_ns) + " in the guest (inside KVM_RUN), " + ms(f.total_ns - c.guest_ns) +
         " in the monitor\n";
    // No guest events, no syscall counters: the kernel does not know lstar. What the tracer did
    // (or why it could not) is still said.
    if (f.foreign) return f.traced ? s + f.traced(by_reason["debug"], 0) : s;
    uint64_t sc = c.syscalls, hw = c.via_hardware, sh = c.via_pf_shim;
    std::string src = "from guest events";
    if (!f.guest_events && c.guest_counters) {
        sc = c.guest_counters->syscalls, hw = c.guest_counters->via_hardware, sh = c.guest_counters->via_pf_shim;
        src = "from the kernel's counters at shutdown";
    }
    s += "  syscalls     " + std::to_string(sc) + ": " + std::to_string(hw) + " entered by the CPU itself, " +
         std::to_string(sh) + " completed by the #PF shim" +
         (c.via_ud_shim ? ", " + std::to_string(c.via_ud_shim) + " (int $0x80) by the #UD shim" : "") + " (" + src + ")\n";
    if (sh > 0) s += "               the #PF shim ran because this host (" + f.host_module + ") does not switch to CPL 0 on SYSCALL\n";
    if (c.via_ud_shim > 0)
        s += "               the #UD shim ran because this host (" + f.host_module + ") raises #UD for int $0x80 from ring 3\n";
    s += "  exceptions   " + std::to_string(c.exceptions) + "\n";
    auto join = [](const std::map<std::string, uint64_t>& m) {
        std::string j;
        for (auto& [k, v] : m) j += (j.empty() ? "" : ", ") + k + " " + std::to_string(v);
        return j;
    };
    if (!c.syscalls_by_name.empty()) s += "  by name      " + join(c.syscalls_by_name) + "\n";
    if (!c.exceptions_by_vector.empty()) s += "  by vector    " + join(c.exceptions_by_vector) + "\n";
    if (f.traced) s += f.traced(by_reason["debug"], sc);
    if (c.bad_events) s += "  bad records  " + std::to_string(c.bad_events) + " (ignored)\n";
    if (f.dropped_records)
        s += "  exit log     " + std::to_string(f.dropped_records) + " records (" + std::to_string(f.dropped_bytes >> 10) +
             " KiB) dropped in the middle: it keeps the first and the last (--exit-log-limit " +
             std::to_string(f.log_limit >> 20) + " MiB)\n";
    s += f.seccomp_allowed ? "  seccomp      filter installed on every thread: " + std::to_string(f.seccomp_allowed) +
                                 " system calls allowed" +
                                 (seccomp::kSanitizerBuild ? " (a sanitizer build's filter: all but sockets and execve)\n"
                                                           : " (KVM ioctls on the vCPU descriptor, writes to lstar's own files)\n")
                           : "  seccomp      off (--no-seccomp)\n";
    return s;
}

}  // namespace lstar
