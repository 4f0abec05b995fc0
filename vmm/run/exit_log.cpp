#include "run/exit_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace lstar {

uint64_t ExitLog::tail_bytes(uint64_t limit) {
    return std::clamp<uint64_t>(limit / 8, 64 << 10, 8 << 20);
}

ExitLog::ExitLog(const std::string& path, uint64_t limit)
    : limit_(limit), head_budget_(limit > tail_bytes(limit) ? limit - tail_bytes(limit) : 0), tail_budget_(tail_bytes(limit)),
      path_(path) {
    if (!path.empty()) open(path);
}

void ExitLog::open(const std::string& path) {
    path_ = path;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open exit log " + path);
    buf_.reserve(kChunk + 4096);
}

ExitLog::~ExitLog() { close(); }

void ExitLog::fail(const char* what, int err) {
    if (error_.empty()) error_ = std::string(what) + " exit log " + path_ + ": " + std::strerror(err);
}

void ExitLog::put(std::string_view line) {
    buf_.append(line);
    buf_ += '\n';
    written_ += line.size() + 1;
    if (buf_.size() >= kChunk) flush();
}

bool ExitLog::flush() {
    size_t done = 0;
    while (done < buf_.size() && !failed()) {
        ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
        if (n > 0) done += size_t(n);
        else if (n < 0 && errno != EINTR) fail("cannot write", errno);
        else if (n == 0) fail("cannot write", EIO);
    }
    buf_.clear();
    return !failed();
}

namespace {
// The seq of a record that starts with {"seq":N, or -1.
int64_t seq_of(std::string_view r) {
    constexpr std::string_view kPrefix = "{\"seq\":";
    if (r.substr(0, kPrefix.size()) != kPrefix) return -1;
    int64_t v = 0;
    size_t i = kPrefix.size();
    if (i >= r.size() || r[i] < '0' || r[i] > '9') return -1;
    for (; i < r.size() && r[i] >= '0' && r[i] <= '9'; ++i) v = v * 10 + (r[i] - '0');
    return v;
}
}  // namespace

// Drop the oldest kept records until `bytes` more fit in the tail.
void ExitLog::make_room(size_t bytes) {
    while (!tail_.empty() && tail_size_ + bytes > tail_budget_) {
        const std::string& old = tail_.front();
        int64_t seq = seq_of(old);
        if (dropped_first_seq_ < 0) dropped_first_seq_ = seq;
        if (seq >= 0) dropped_last_seq_ = seq;
        ++dropped_records_;
        dropped_bytes_ += old.size() + 1;
        tail_size_ -= old.size() + 1;
        tail_.pop_front();
    }
}

void ExitLog::write(std::string_view line) {
    if (fd_ < 0 || failed()) return;
    if (tail_.empty() && written_ + line.size() + 1 <= head_budget_) return put(line);
    make_room(line.size() + 1);
    if (line.size() + 1 > tail_budget_) {  // larger than the whole tail: drop it at once
        int64_t seq = seq_of(line);
        if (dropped_first_seq_ < 0) dropped_first_seq_ = seq;
        if (seq >= 0) dropped_last_seq_ = seq;
        ++dropped_records_;
        dropped_bytes_ += line.size() + 1;
        return;
    }
    tail_.emplace_back(line);
    tail_size_ += line.size() + 1;
}

void ExitLog::write_end(std::string_view line) {
    if (fd_ < 0 || failed()) return;
    make_room(line.size() + 64);
    std::string rec(line.substr(0, line.rfind('}')));
    rec += ",\"dropped_records\":" + std::to_string(dropped_records_) + ",\"dropped_bytes\":" +
           std::to_string(dropped_bytes_) + "}";
    tail_.push_back(std::move(rec));
    tail_size_ += tail_.back().size() + 1;
}

bool ExitLog::close() {
    if (fd_ < 0) return !failed();
    if (!failed() && dropped_records_) {
        put("{\"type\":\"dropped\",\"records\":" + std::to_string(dropped_records_) + ",\"bytes\":" +
            std::to_string(dropped_bytes_) + ",\"first_seq\":" + std::to_string(dropped_first_seq_) +
            ",\"last_seq\":" + std::to_string(dropped_last_seq_) + ",\"limit\":" + std::to_string(limit_) + "}");
    }
    for (const auto& r : tail_)
        if (!failed()) put(r);
    tail_.clear();
    if (flush() && ::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) fail("cannot sync", errno);
    if (::close(fd_) != 0) fail("cannot close", errno);
    fd_ = -1;
    return !failed();
}

}  // namespace lstar
