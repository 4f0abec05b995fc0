#include "run/exit_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace lstar {

ExitLog::ExitLog(const std::string& path) : path_(path) {
    if (path.empty()) return;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open exit log " + path);
    buf_.reserve(kChunk + 4096);
}

ExitLog::~ExitLog() { close(); }

void ExitLog::fail(const char* what, int err) {
    if (error_.empty()) error_ = std::string(what) + " exit log " + path_ + ": " + std::strerror(err);
}

void ExitLog::write(std::string_view line) {
    if (fd_ < 0 || failed()) return;
    buf_.append(line);
    buf_ += '\n';
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

bool ExitLog::close() {
    if (fd_ < 0) return !failed();
    if (flush() && ::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) fail("cannot sync", errno);
    if (::close(fd_) != 0) fail("cannot close", errno);
    fd_ = -1;
    return !failed();
}

}  // namespace lstar
