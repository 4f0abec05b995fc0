// ioctl(2) (compare Linux's fs/ioctl.c).
#include "fs.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"

using namespace lstar;
using namespace lstar::kernel;

extern "C" long sys_ioctl(unsigned long fd, unsigned long, unsigned long, unsigned long, unsigned long,
                          unsigned long) {
    // The console is the monitor's output stream, not a terminal the guest can configure:
    // TCGETS answers -ENOTTY, as for a pipe (so stdio buffers fully, as it does on the host
    // when output is redirected).
    if (!get_file(fd)) return -err::kEBADF;
    return -err::kENOTTY;
}
