// `--trace-file FILE` / `-o FILE`: the tracer's lines in a file of their own, as strace -o. Created
// (and truncated) only once the run can start (the run loop opens it beside the exit log), so a run
// that fails before leaves an existing file alone. Whole lines only: they are gathered in memory
// and written with write(2) at a line's end when the buffer is full and at close(), which every way
// a run ends (Ctrl-C, a timeout, an error) goes through; a write that fails is remembered and
// reported there, and nothing is written after it.
#pragma once
#include <string>
#include <string_view>

namespace lstar::trace {

class TraceFile {
public:
    TraceFile() = default;
    ~TraceFile();
    TraceFile(const TraceFile&) = delete;
    TraceFile& operator=(const TraceFile&) = delete;

    void open(const std::string& path);  // throws IoError naming the path
    bool is_open() const { return fd_ >= 0; }
    int fd() const { return fd_; }  // for the run loop's seccomp filter
    void line(std::string_view text);  // one line; the newline is added
    // Flush and close; false (with error()) if any line was lost.
    bool close();
    const std::string& error() const { return error_; }

private:
    static constexpr size_t kChunk = 64 << 10;
    bool flush();
    int fd_ = -1;
    std::string path_, buf_, error_;
};

}  // namespace lstar::trace
