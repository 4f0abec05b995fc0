// --trace-out FILE.json: a timeline in the Chrome trace event format (ui.perfetto.dev and
// chrome://tracing open it): user-mode and kernel-mode slices per syscall, exceptions as instant
// events, VM exits on a track of their own. Built in memory (bounded) and written at the end, to a
// temporary file renamed into place, so an interrupted run never leaves half a JSON document.
#pragma once
#include <cstdint>
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

    // Close what is open at end_ns and write the document; false with error set on failure.
    bool write(const std::string& path, uint64_t end_ns, std::string& error);
    size_t events() const { return events_.size(); }
    size_t dropped() const { return dropped_; }

private:
    void add(std::string json);
    std::vector<std::string> events_;
    size_t dropped_ = 0;
    uint64_t user_since_ = 0;
    bool in_kernel_ = false;
    uint64_t kernel_since_ = 0;
    std::string kernel_name_;
};

}  // namespace lstar::trace
