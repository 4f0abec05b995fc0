// --trace ITEM[,ITEM...] (repeatable): what to watch from outside the guest. Every number and name
// is checked here, before the VM starts.
#pragma once
#include <string>
#include <vector>

#include "trace/tracer.hpp"

namespace lstar::cli {

struct TraceRequest {
    trace::TraceOptions trace;
    bool msr = false;  // the `msr` item: every trapped MSR access on stderr
};

// syscalls, path[=NAME], steps=FROM..TO, exceptions[=PF,GP,...], msr. A vector name after
// exceptions= continues its list (exceptions=PF,GP). Throws UsageError naming the item.
TraceRequest parse_traces(const std::vector<std::string>& args);

// strace's -e expressions: [trace=]SET, SET a comma-separated list of system call names, classes
// (%file, %memory, ...: trace/syscall_classes.hpp), `all` or `none`, `!` before it for the
// complement. Several are joined. Returns the traced numbers as TraceOptions::only wants them.
// Throws UsageError naming the expression and what is accepted.
std::vector<bool> parse_syscall_filter(const std::vector<std::string>& exprs);

// The x86-64 system call names Linux defines, in number order (what path=NAME accepts).
std::vector<std::string> syscall_names();

}  // namespace lstar::cli
