// The exit log (--exit-log FILE): JSON Lines, one record per line (docs/exit-log.md).
// Records are gathered in memory and written in chunks of kChunk bytes with write(2): one system
// call per few thousand exits rather than per record. The run loop closes the log (flushing the
// rest) on every way a run ends, signals and errors included; a write that fails is caught then.
// A write error (full disk, closed pipe) is remembered and reported, so the run loop can stop the
// guest instead of running blind; close() writes the final record and checks that it landed.
#pragma once
#include <string>
#include <string_view>

namespace lstar {

class ExitLog {
public:
    // An empty path disables the log: every call is then a no-op.
    explicit ExitLog(const std::string& path);  // throws std::system_error naming the path
    ~ExitLog();
    ExitLog(const ExitLog&) = delete;
    ExitLog& operator=(const ExitLog&) = delete;

    bool enabled() const { return fd_ >= 0; }
    void write(std::string_view json_line);  // one record, without the newline
    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }
    // Flush and close; false (with error()) if anything written was lost.
    bool close();

private:
    static constexpr size_t kChunk = 1 << 20;
    void fail(const char* what, int err);
    bool flush();  // write out what is buffered; false (with error()) if it could not
    int fd_ = -1;
    std::string buf_;
    std::string path_;
    std::string error_;
};

}  // namespace lstar
