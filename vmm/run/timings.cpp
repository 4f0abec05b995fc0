#include "run/timings.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/clock.hpp"

namespace lstar::timings {

namespace {

struct Mark {
    const char* stage;
    uint64_t ns;
};
bool g_on = false;
uint64_t g_start = 0;
std::vector<Mark> g_marks;
uint64_t g_guest_touched = 0;

// VmHWM, this process image's own high-water mark. Not getrusage()'s ru_maxrss: execve() folds the
// parent's peak into it, so a monitor started from a large process would report that one's.
// RssAnon: the private part now (heap, stacks, touched guest RAM), without shared library pages.
// Opened by enable(), before the run loop's seccomp filter (which allows pread64 on it, not open).
int g_status_fd = -1;

long status_kib(const char* field) {
    char buf[4096];
    const ssize_t n = g_status_fd < 0 ? -1 : ::pread(g_status_fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return -1;
    buf[n] = '\0';
    const size_t len = std::strlen(field);
    for (const char* line = buf; line && *line; line = std::strchr(line, '\n') ? std::strchr(line, '\n') + 1 : nullptr)
        if (!std::strncmp(line, field, len) && line[len] == ':') return std::strtol(line + len + 1, nullptr, 10);
    return -1;
}

}  // namespace

void enable() {
    g_on = true;
    g_start = clock_ns();
    g_marks.reserve(16);
    g_status_fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
}

int status_fd() { return g_status_fd; }

bool enabled() { return g_on; }

void mark(const char* stage) {
    if (g_on) g_marks.push_back({stage, clock_ns()});
}

void note_guest_ram(const void* base, uint64_t size) {
    if (!g_on) return;
    const uint64_t page = uint64_t(sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> vec((size + page - 1) / page);
    if (mincore(const_cast<void*>(base), size, vec.data()) != 0) return;
    g_guest_touched = 0;
    for (unsigned char v : vec) g_guest_touched += (v & 1) ? page : 0;
}

std::string report() {
    std::string s = "lstar timings:";
    uint64_t prev = g_start;
    char b[160];
    for (const auto& m : g_marks) {
        std::snprintf(b, sizeof b, " %s %.3f ms,", m.stage, double(m.ns - prev) / 1e6);
        s += b;
        prev = m.ns;
    }
    // RssFile: the binary's and the shared libraries' pages, which other processes can share.
    std::snprintf(b, sizeof b,
                  " total %.3f ms since main; guest RAM touched %llu KiB; peak RSS %ld KiB; anonymous RSS %ld KiB;"
                  " file-backed RSS %ld KiB\n",
                  double(prev - g_start) / 1e6, (unsigned long long)(g_guest_touched >> 10), status_kib("VmHWM"),
                  status_kib("RssAnon"), status_kib("RssFile"));
    return s + b;
}

}  // namespace lstar::timings
