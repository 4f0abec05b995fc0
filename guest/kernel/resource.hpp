// Resource limits (compare Linux's include/uapi/linux/resource.h and kernel/sys.c): the process's
// rlim[], inherited across execve, enforced where Linux enforces them (NOFILE in open, STACK at
// exec and when the stack grows, AS and DATA in brk and mmap).
#pragma once
#include <cstdint>

namespace lstar::kernel {

inline constexpr unsigned kRlimitCpu = 0, kRlimitFsize = 1, kRlimitData = 2, kRlimitStack = 3, kRlimitCore = 4,
                          kRlimitRss = 5, kRlimitNproc = 6, kRlimitNofile = 7, kRlimitMemlock = 8, kRlimitAs = 9,
                          kRlimitLocks = 10, kRlimitSigpending = 11, kRlimitMsgqueue = 12, kRlimitNice = 13,
                          kRlimitRtprio = 14, kRlimitRttime = 15, kRlimNlimits = 16;
inline constexpr uint64_t kRlimInfinity = ~0ull;

struct Rlimit {
    uint64_t rlim_cur, rlim_max;
};
extern Rlimit rlim[kRlimNlimits];

inline uint64_t rlimit(unsigned resource) { return rlim[resource].rlim_cur; }

// The command line's lstar.rlimit.NAME=SOFT:HARD (docs/boot-protocol.md). False if NAME or the
// values are not understood (the caller logs it).
bool rlimit_from_cmdline(const char* name_eq_value);

}  // namespace lstar::kernel
