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

// The x86-64 system call names Linux defines, in number order (what path=NAME accepts).
std::vector<std::string> syscall_names();

}  // namespace lstar::cli
