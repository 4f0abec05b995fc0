// --trace-out FILE.json: a timeline in the Chrome trace event format (ui.perfetto.dev and
// chrome://tracing open it): user-mode and kernel-mode slices per syscall, exceptions as instant
// events, VM exits on a track of their own. Built in memory (bounded) and written in one go at the
// end (also of an interrupted run), to a file opened at set-up: the run loop's seccomp filter
// allows writes to descriptors it already has, not open() or rename().
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace lstar::trace {

class ChromeTrace {
public:
    static constexpr size_t kMaxEvents = 200000;

    void syscall_edge(uint64_t ts_ns, const std::string& name, bool enter);
    void exception(uint64_t ts_ns, const std::string& name);
    void vm_exit(uint64_t ts_ns, uint64_t dur_ns, std::string_view reason);
    // The breakpoint kind the slices came from ("hardware", "software"): otherData.breakpoints.
    void set_breakpoints(std::string kind) { breakpoints_ = std::move(kind); }

    ChromeTrace() = default;
    ~ChromeTrace();
    ChromeTrace(const ChromeTrace&) = delete;
    ChromeTrace& operator=(const ChromeTrace&) = delete;

    // Create (truncate) the output file now, before the run; throws IoError.
    void open(const std::string& path);
    int fd() const;
    // Close what is open at end_ns, write the document and close the file; throws IoError.
    void write(uint64_t end_ns);
    size_t events() const { return events_.size(); }
    size_t dropped() const { return dropped_; }

private:
    void add(std::string json);
    std::FILE* f_ = nullptr;
    std::string path_;
    std::vector<std::string> events_;
    size_t dropped_ = 0;
    uint64_t user_since_ = 0;
    bool in_kernel_ = false;
    uint64_t kernel_since_ = 0;
    std::string kernel_name_;
    std::string breakpoints_;
};

}  // namespace lstar::trace
