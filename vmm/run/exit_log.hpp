// The exit log (--exit-log FILE): JSON Lines, one record per line (docs/exit-log.md).
// A write error (full disk, closed pipe) is remembered and reported, so the run loop can stop the
// guest instead of running blind; close() writes the final record and checks that it landed.
#pragma once
#include <cstdio>
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

    bool enabled() const { return f_ != nullptr; }
    int fd() const { return f_ ? fileno(f_) : -1; }  // for the run loop's seccomp filter
    void write(std::string_view json_line);  // one record, without the newline
    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }
    // Flush and close; false (with error()) if anything written was lost.
    bool close();

private:
    void fail(const char* what, int err);
    std::FILE* f_ = nullptr;
    std::string path_;
    std::string error_;
};

}  // namespace lstar
