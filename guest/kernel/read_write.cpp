// write(2) (compare Linux's fs/read_write.c). The only files are the console's stdout and stderr.
// Under lstar the kernel does not copy the bytes: it checks the buffer and hands the monitor its
// user virtual address in one ConsoleWrite event; the monitor reads the bytes through CR3 itself.
// That event is I/O, not a report, so it is sent whether or not guest events are on. Without
// lstar's monitor (QEMU) the bytes go to COM1.
#include "events.hpp"
#include "fs.hpp"
#include "mm.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"

namespace {
constexpr unsigned long kMaxRwCount = 0x7ffff000;  // Linux's MAX_RW_COUNT (INT_MAX & PAGE_MASK)
}

extern "C" long sys_write(unsigned long fd, unsigned long buf, unsigned long count, unsigned long, unsigned long,
                          unsigned long) {
    using namespace lstar;
    using namespace lstar::kernel;
    if (!fd_is_console(fd)) return -err::kEBADF;  // initramfs files are read-only
    if (count > kMaxRwCount) count = kMaxRwCount;
    if (count == 0) return 0;
    if (!user_range_accessible(buf, count, false)) return -err::kEFAULT;
    if (!lstar_monitor) {  // COM1 (QEMU): the kernel copies the bytes out itself
        serial_write(reinterpret_cast<const char*>(buf), count);
        return long(count);
    }
    auto* e = event_prepare<abi::ConsoleWriteEvent>(abi::EventType::ConsoleWrite);
    e->fd = fd;
    e->va = buf;
    e->len = count;
    event_send();
    return long(count);
}

extern "C" long sys_writev(unsigned long fd, unsigned long uiov, unsigned long iovcnt, unsigned long, unsigned long,
                           unsigned long) {
    using namespace lstar;
    using namespace lstar::kernel;
    struct Iovec {
        uint64_t base, len;
    };
    if (!fd_is_console(fd)) return -err::kEBADF;
    if (iovcnt > 1024) return -err::kEINVAL;  // UIO_MAXIOV
    if (!user_range_accessible(uiov, iovcnt * sizeof(Iovec), false)) return -err::kEFAULT;
    const auto* iov = reinterpret_cast<const Iovec*>(uiov);
    long total = 0;
    for (unsigned long i = 0; i < iovcnt; i++) {  // one ConsoleWrite per non-empty piece
        const Iovec v = iov[i];
        const long n = sys_write(fd, v.base, v.len, 0, 0, 0);
        if (n < 0) return total ? total : n;
        total += n;
    }
    return total;
}
