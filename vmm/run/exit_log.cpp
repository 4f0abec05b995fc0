#include "run/exit_log.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace lstar {

ExitLog::ExitLog(const std::string& path) : path_(path) {
    if (path.empty()) return;
    f_ = std::fopen(path.c_str(), "we");
    if (!f_) throw std::system_error(errno, std::generic_category(), "cannot open exit log " + path);
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
}

ExitLog::~ExitLog() { close(); }

void ExitLog::fail(const char* what, int err) {
    if (error_.empty()) error_ = std::string(what) + " exit log " + path_ + ": " + std::strerror(err);
}

void ExitLog::write(std::string_view line) {
    if (!f_ || failed()) return;
    if (std::fwrite(line.data(), 1, line.size(), f_) != line.size() || std::fputc('\n', f_) == EOF)
        fail("cannot write", errno);
}

bool ExitLog::close() {
    if (!f_) return !failed();
    if (std::fflush(f_) != 0) fail("cannot write", errno);
    else if (::fsync(fileno(f_)) != 0 && errno != EINVAL && errno != EROFS) fail("cannot sync", errno);
    if (std::fclose(f_) != 0) fail("cannot close", errno);
    f_ = nullptr;
    return !failed();
}

}  // namespace lstar
