#include "trace/trace_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.hpp"

namespace lstar::trace {

TraceFile::~TraceFile() { close(); }

void TraceFile::open(const std::string& path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw IoError("--trace-file: cannot create " + path + ": " + std::strerror(errno));
    path_ = path;
}

void TraceFile::line(std::string_view text) {
    if (fd_ < 0 || !error_.empty()) return;
    buf_.append(text);
    buf_ += '\n';
    if (buf_.size() >= kChunk) flush();
}

bool TraceFile::flush() {
    size_t done = 0;
    while (done < buf_.size()) {
        ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error_ = "--trace-file: cannot write " + path_ + ": " + std::strerror(n < 0 ? errno : ENOSPC);
            buf_.clear();
            return false;
        }
        done += size_t(n);
    }
    buf_.clear();
    return true;
}

bool TraceFile::close() {
    if (fd_ < 0) return error_.empty();
    bool ok = error_.empty() && flush();
    if (::close(fd_) != 0 && ok) {
        error_ = "--trace-file: cannot write " + path_ + ": " + std::strerror(errno);
        ok = false;
    }
    fd_ = -1;
    return ok;
}

}  // namespace lstar::trace
