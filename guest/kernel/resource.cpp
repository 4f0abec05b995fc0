// getrlimit, setrlimit, prlimit64 (compare Linux's kernel/sys.c: do_prlimit). The task runs as
// root (uid 0, as Linux's init) and so holds CAP_SYS_RESOURCE: it may raise a hard limit, except
// RLIMIT_NOFILE beyond nr_open (1048576), which is -EPERM even for root, as on Linux.
#include "resource.hpp"

#include "kernel.hpp"
#include "mm.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"

namespace lstar::kernel {

namespace {
constexpr uint64_t kInf = kRlimInfinity;
constexpr uint64_t kNrOpen = 1048576;  // fs.nr_open's default
}  // namespace

// Linux's INIT_RLIMITS (include/asm-generic/resource.h), NPROC and SIGPENDING as for a small VM.
constinit Rlimit rlim[kRlimNlimits] = {
    {kInf, kInf},          // CPU
    {kInf, kInf},          // FSIZE
    {kInf, kInf},          // DATA
    {8ull << 20, kInf},    // STACK: _STK_LIM
    {0, kInf},             // CORE
    {kInf, kInf},          // RSS
    {1024, 1024},          // NPROC
    {1024, 4096},          // NOFILE: INR_OPEN_CUR, INR_OPEN_MAX
    {8ull << 20, 8ull << 20},  // MEMLOCK: MLOCK_LIMIT
    {kInf, kInf},          // AS
    {kInf, kInf},          // LOCKS
    {1024, 1024},          // SIGPENDING
    {819200, 819200},      // MSGQUEUE: MQ_BYTES_MAX
    {0, 0},                // NICE
    {0, 0},                // RTPRIO
    {kInf, kInf},          // RTTIME
};

namespace {

constexpr const char* kNames[kRlimNlimits] = {"cpu",  "fsize",  "data",       "stack",    "core", "rss",
                                             "nproc", "nofile", "memlock",    "as",       "locks",
                                             "sigpending", "msgqueue", "nice", "rtprio", "rttime"};

// A decimal number or "unlimited", ending at `end`.
bool parse_limit(const char*& p, char end, uint64_t& v) {
    const char* u = "unlimited";
    const char* q = p;
    while (*u && *q == *u) q++, u++;
    if (!*u && *q == end) {
        v = kInf, p = q;
        return true;
    }
    v = 0;
    if (*p < '0' || *p > '9') return false;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (kInf - 9) / 10) return false;
        v = v * 10 + uint64_t(*p - '0');
    }
    return *p == end;
}

long do_prlimit(unsigned resource, const Rlimit* new_rlim, Rlimit* old_rlim) {
    if (resource >= kRlimNlimits) return -err::kEINVAL;
    if (new_rlim) {
        if (new_rlim->rlim_cur > new_rlim->rlim_max) return -err::kEINVAL;
        if (resource == kRlimitNofile && new_rlim->rlim_max > kNrOpen) return -err::kEPERM;
        // Raising rlim_max needs CAP_SYS_RESOURCE: uid 0 has it (see the top of this file).
    }
    if (old_rlim) *old_rlim = rlim[resource];
    if (new_rlim) rlim[resource] = *new_rlim;
    return 0;
}

// The user's struct rlimit, read before anything changes.
long get_rlimit_from_user(uint64_t addr, Rlimit& r) {
    if (!user_range_accessible(addr, sizeof r, false)) return -err::kEFAULT;
    r = *reinterpret_cast<const Rlimit*>(addr);
    return 0;
}

}  // namespace

bool rlimit_from_cmdline(const char* s) {
    for (unsigned r = 0; r < kRlimNlimits; r++) {
        const char* p = s;
        const char* n = kNames[r];
        while (*n && *p == *n) p++, n++;
        if (*n || *p != '=') continue;
        p++;
        Rlimit v;
        if (!parse_limit(p, ':', v.rlim_cur)) return false;
        p++;
        if (!parse_limit(p, '\0', v.rlim_max) || v.rlim_cur > v.rlim_max) return false;
        rlim[r] = v;  // the monitor sets the first program's limits, as prlimit(1) would
        return true;
    }
    return false;
}

}  // namespace lstar::kernel

using namespace lstar;
using namespace lstar::kernel;

extern "C" long sys_prlimit64(unsigned long pid, unsigned long resource, unsigned long unew, unsigned long uold,
                              unsigned long, unsigned long) {
    if (pid != 0 && pid != unsigned(current.pid)) return -err::kESRCH;
    Rlimit n, old;
    if (unew)
        if (long e = get_rlimit_from_user(unew, n)) return e;
    if (uold && !user_range_accessible(uold, sizeof old, true)) return -err::kEFAULT;
    if (long e = do_prlimit(unsigned(resource), unew ? &n : nullptr, &old)) return e;
    if (uold) *reinterpret_cast<Rlimit*>(uold) = old;
    return 0;
}

extern "C" long sys_getrlimit(unsigned long resource, unsigned long uold, unsigned long, unsigned long,
                              unsigned long, unsigned long) {
    return sys_prlimit64(0, resource, 0, uold ? uold : ~0ul, 0, 0);
}

extern "C" long sys_setrlimit(unsigned long resource, unsigned long unew, unsigned long, unsigned long,
                              unsigned long, unsigned long) {
    if (!unew) return -err::kEFAULT;
    return sys_prlimit64(0, resource, unew, 0, 0, 0);
}
