// `-c`: calls, errors and time per system call, and the table strace -c prints at the end.
// The time of a call is what the tracer measured between its LSTAR breakpoint and its return
// breakpoint (docs/tracing.md, "-T and -c: what the time means").
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace lstar::trace {

class SyscallStats {
public:
    void add(uint64_t nr, const std::string& name, uint64_t ns, bool error);
    bool empty() const { return by_nr_.empty(); }
    // strace -c's table: "% time     seconds  usecs/call     calls    errors syscall", the rows by
    // time (most first, then by number), a dashed line and the total.
    std::string table() const;

private:
    struct Row {
        std::string name;
        uint64_t ns = 0, calls = 0, errors = 0;
    };
    std::map<uint64_t, Row> by_nr_;
};

}  // namespace lstar::trace
