#include "run/timings.hpp"

#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

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

uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

}  // namespace

void enable() {
    g_on = true;
    g_start = now_ns();
    g_marks.reserve(16);
}

bool enabled() { return g_on; }

void mark(const char* stage) {
    if (g_on) g_marks.push_back({stage, now_ns()});
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
    char b[96];
    for (const auto& m : g_marks) {
        std::snprintf(b, sizeof b, " %s %.3f ms,", m.stage, double(m.ns - prev) / 1e6);
        s += b;
        prev = m.ns;
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::snprintf(b, sizeof b, " total %.3f ms since main; guest RAM touched %llu KiB; peak RSS %ld KiB\n",
                  double(prev - g_start) / 1e6, (unsigned long long)(g_guest_touched >> 10), ru.ru_maxrss);
    return s + b;
}

}  // namespace lstar::timings
