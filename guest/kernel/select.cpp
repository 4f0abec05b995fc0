// poll(2) (compare Linux's fs/select.c do_poll and DEFAULT_POLLMASK). Every file here is always
// ready: initramfs files as on Linux, console writes because the monitor takes them at once. A
// console read is reported ready too and then blocks in read(2) until the monitor's stdin has
// data or ends: this kernel has no wait queue for it (docs/processes.md).
#include "fs.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "resource.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"

using namespace lstar;
using namespace lstar::kernel;

namespace {

struct PollFd {
    int32_t fd;
    int16_t events, revents;
};

constexpr int16_t kPollin = 0x1, kPollout = 0x4, kPollerr = 0x8, kPollhup = 0x10, kPollnval = 0x20,
                  kPollrdnorm = 0x40, kPollwrnorm = 0x100;
constexpr int16_t kDefaultPollmask = kPollin | kPollout | kPollrdnorm | kPollwrnorm;

}  // namespace

extern "C" long sys_poll(unsigned long ufds, unsigned long nfds, unsigned long, unsigned long, unsigned long,
                         unsigned long) {
    if (nfds > rlimit(kRlimitNofile)) return -err::kEINVAL;
    if (nfds && !user_range_accessible(ufds, nfds * sizeof(PollFd), true)) return -err::kEFAULT;
    auto* p = reinterpret_cast<PollFd*>(ufds);
    long ready = 0;
    for (unsigned long i = 0; i < nfds; i++) {
        const int fd = p[i].fd;
        int16_t r = 0;
        if (fd >= 0) r = get_file(unsigned(fd)) ? int16_t(kDefaultPollmask & (p[i].events | kPollerr | kPollhup))
                                                : kPollnval;
        p[i].revents = r;
        ready += r != 0;
    }
    return ready;  // nothing ever waits, so the timeout never runs out
}
