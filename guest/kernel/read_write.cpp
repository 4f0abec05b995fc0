// write(2) (compare Linux's fs/read_write.c). The only files are the console's stdout and stderr.
// Under lstar the kernel does not copy the bytes: it checks the buffer and hands the monitor its
// user virtual address in one ConsoleWrite event; the monitor reads the bytes through CR3 itself.
// That event is I/O, not a report, so it is sent whether or not guest events are on. Without
// lstar's monitor (QEMU) the bytes go to COM1.
#include "events.hpp"
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
    if (fd != 1 && fd != 2) return -err::kEBADF;
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
