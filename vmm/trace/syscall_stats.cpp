#include "trace/syscall_stats.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace lstar::trace {

void SyscallStats::add(uint64_t nr, const std::string& name, uint64_t ns, bool error) {
    Row& r = by_nr_[nr];
    r.name = name;
    r.ns += ns;
    r.calls += 1;
    r.errors += error;
}

namespace {

// One row as strace's count.c prints it: errors left blank when there were none.
std::string row(double percent, uint64_t ns, uint64_t calls, uint64_t errors, const std::string& name) {
    char b[160];
    const uint64_t usecs_per_call = calls ? ns / 1000 / calls : 0;
    std::snprintf(b, sizeof b, "%6.2f %11.6f %11llu %9llu %9s %s\n", percent, double(ns) / 1e9,
                  (unsigned long long)usecs_per_call, (unsigned long long)calls,
                  errors ? std::to_string(errors).c_str() : "", name.c_str());
    return b;
}

}  // namespace

std::string SyscallStats::table() const {
    std::vector<std::pair<uint64_t, const Row*>> rows;
    uint64_t total_ns = 0, calls = 0, errors = 0;
    for (const auto& [nr, r] : by_nr_) {
        rows.emplace_back(nr, &r);
        total_ns += r.ns, calls += r.calls, errors += r.errors;
    }
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second->ns > b.second->ns; });
    const char* dashes = "------ ----------- ----------- --------- --------- ----------------\n";
    std::string s = "% time     seconds  usecs/call     calls    errors syscall\n";
    s += dashes;
    for (const auto& [nr, r] : rows) s += row(total_ns ? 100.0 * double(r->ns) / double(total_ns) : 0, r->ns, r->calls, r->errors, r->name);
    s += dashes;
    s += row(100, total_ns, calls, errors, "total");
    return s;
}

}  // namespace lstar::trace
