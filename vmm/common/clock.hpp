// A host clock in nanoseconds: the run loop's timestamps, --timings' stages, the wall-clock handover.
#pragma once
#include <time.h>

#include <cstdint>

namespace lstar {

inline uint64_t clock_ns(clockid_t id = CLOCK_MONOTONIC) {
    timespec ts{};
    clock_gettime(id, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

}  // namespace lstar
