// The exit log (--exit-log FILE): JSON Lines, one record per line (docs/exit-log.md).
// Records are gathered in memory and written in chunks of kChunk bytes with write(2): one system
// call per few thousand exits rather than per record. The run loop closes the log (flushing the
// rest) on every way a run ends, signals and errors included; a write that fails is caught then.
// A write error (full disk, closed pipe) is remembered and reported, so the run loop can stop the
// guest instead of running blind; close() writes the final record and checks that it landed.
//
// Bounded (docs/exit-log.md, "A bounded log"): the first records go to the file until `limit`
// bytes minus the tail's share are written; after that the newest records are kept in memory, up
// to the tail's share, and older ones are dropped and counted. close() writes a `dropped` record
// (how many, which seq range), then the kept tail, so the file keeps the first and the last
// records, and the `end` record (write_end) says how many were dropped. Memory stays bounded.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace lstar {

class ExitLog {
public:
    // An empty path disables the log: every call is then a no-op.
    static constexpr uint64_t kDefaultLimit = 256ull << 20;  // bytes (--exit-log-limit MiB)
    // The tail's share of the limit: an eighth, between 64 KiB and 8 MiB.
    static uint64_t tail_bytes(uint64_t limit);

    explicit ExitLog(const std::string& path, uint64_t limit = kDefaultLimit);  // throws std::system_error naming the path
    // Open (create, truncate) a log made with an empty path: the run loop does it once the run can
    // start, so a run that fails before (no KVM, a bad image) leaves an existing file alone.
    void open(const std::string& path);  // throws std::system_error naming the path
    ~ExitLog();
    ExitLog(const ExitLog&) = delete;
    ExitLog& operator=(const ExitLog&) = delete;

    bool enabled() const { return fd_ >= 0; }
    int fd() const { return fd_; }  // for the run loop's seccomp filter
    void write(std::string_view json_line);  // one record (a JSON object), without the newline
    // The final record: never dropped; gets "dropped_records" and "dropped_bytes" added.
    void write_end(std::string_view json_line);
    uint64_t dropped_records() const { return dropped_records_; }
    uint64_t dropped_bytes() const { return dropped_bytes_; }
    uint64_t limit() const { return limit_; }
    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }
    // Flush and close; false (with error()) if anything written was lost.
    bool close();

private:
    static constexpr size_t kChunk = 1 << 20;
    void fail(const char* what, int err);
    void put(std::string_view line);  // into the file (through buf_)
    bool flush();                      // write out what is buffered; false (with error()) if it could not
    void make_room(size_t bytes);
    int fd_ = -1;
    std::string buf_;
    uint64_t limit_, head_budget_, tail_budget_;
    uint64_t written_ = 0;            // bytes put in the file so far (the head)
    std::deque<std::string> tail_;    // records past the head, newest last
    uint64_t tail_size_ = 0;
    uint64_t dropped_records_ = 0, dropped_bytes_ = 0;
    int64_t dropped_first_seq_ = -1, dropped_last_seq_ = -1;
    std::string path_;
    std::string error_;
};

}  // namespace lstar
