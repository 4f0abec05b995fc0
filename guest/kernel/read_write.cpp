// read(2), pread64(2), readv(2), lseek(2), write(2), writev(2) (compare Linux's fs/read_write.c).
// Reads copy from the initramfs with one `rep movsb`, or ask the monitor for its stdin (console.cpp).
// Writes go only to the console: the monitor's stdout or stderr, as the descriptor's file says. Under lstar the kernel does not copy the bytes: it checks the buffer and hands the monitor its
// user virtual address in one ConsoleWrite event; the monitor reads the bytes through CR3 itself.
// That event is I/O, not a report, so it is sent whether or not guest events are on. Without
// lstar's monitor (QEMU) the bytes go to COM1.
#include "console.hpp"
#include "events.hpp"
#include "fs.hpp"
#include "initramfs.hpp"
#include "kernel.hpp"
#include "uaccess.hpp"
#include "mm.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"

namespace {

using namespace lstar;
using namespace lstar::kernel;

constexpr unsigned long kMaxRwCount = 0x7ffff000;  // Linux's MAX_RW_COUNT (INT_MAX & PAGE_MASK)

struct Iovec {
    uint64_t base, len;
};

long do_read(File& f, uint64_t buf, uint64_t count, uint64_t pos, bool advance) {
    if (f.kind == FileKind::Console) return console_read(buf, count);  // the monitor's stdin
    if (f.kind == FileKind::Directory) return -err::kEISDIR;
    const InitrdNode& n = initrd_nodes[f.node];
    if (pos >= n.size) return 0;
    if (count > n.size - pos) count = n.size - pos;
    if (!user_range_accessible(buf, count, true)) return -err::kEFAULT;
    memcpy(reinterpret_cast<void*>(buf), n.data + pos, count);
    if (advance) f.pos = pos + count;
    return long(count);
}

}  // namespace

extern "C" long sys_read(unsigned long fd, unsigned long buf, unsigned long count, unsigned long, unsigned long,
                         unsigned long) {
    File* f = get_file(fd);
    if (!f) return -err::kEBADF;
    if (count > 0x7ffff000) count = 0x7ffff000;  // MAX_RW_COUNT
    return do_read(*f, buf, count, f->pos, true);
}

extern "C" long sys_pread64(unsigned long fd, unsigned long buf, unsigned long count, unsigned long pos,
                            unsigned long, unsigned long) {
    File* f = get_file(fd);
    if (!f) return -err::kEBADF;
    if (f->kind == FileKind::Console) return -err::kESPIPE;
    if (long(pos) < 0) return -err::kEINVAL;
    if (count > 0x7ffff000) count = 0x7ffff000;
    return do_read(*f, buf, count, pos, false);
}

extern "C" long sys_readv(unsigned long fd, unsigned long uiov, unsigned long iovcnt, unsigned long, unsigned long,
                          unsigned long) {
    File* f = get_file(fd);
    if (!f) return -err::kEBADF;
    if (iovcnt > 1024) return -err::kEINVAL;  // UIO_MAXIOV
    if (!user_range_accessible(uiov, iovcnt * sizeof(Iovec), false)) return -err::kEFAULT;
    const auto* iov = reinterpret_cast<const Iovec*>(uiov);
    long total = 0;
    for (unsigned long i = 0; i < iovcnt; i++) {
        const Iovec v = iov[i];
        const long n = do_read(*f, v.base, v.len, f->pos, true);
        if (n < 0) return total ? total : n;
        total += n;
        if (uint64_t(n) < v.len) break;
    }
    return total;
}

extern "C" long sys_lseek(unsigned long fd, unsigned long off, unsigned long whence, unsigned long, unsigned long,
                          unsigned long) {
    File* f = get_file(fd);
    if (!f) return -err::kEBADF;
    if (f->kind == FileKind::Console) return -err::kESPIPE;
    const int64_t size = f->kind == FileKind::Regular ? int64_t(initrd_nodes[f->node].size) : 0;
    int64_t base;
    switch (whence) {
    case 0: base = 0; break;                 // SEEK_SET
    case 1: base = int64_t(f->pos); break;   // SEEK_CUR
    case 2: base = size; break;              // SEEK_END
    default: return -err::kEINVAL;
    }
    const int64_t pos = base + int64_t(off);
    if (pos < 0) return -err::kEINVAL;
    f->pos = uint64_t(pos);
    return pos;
}

extern "C" long sys_write(unsigned long fd, unsigned long buf, unsigned long count, unsigned long, unsigned long,
                          unsigned long) {
    using namespace lstar;
    using namespace lstar::kernel;
    const File* f = get_file(fd);
    if (!f) return -err::kEBADF;
    if (f->kind != FileKind::Console) return -err::kEBADF;  // initramfs files are read-only
    if (count > kMaxRwCount) count = kMaxRwCount;
    if (count == 0) return 0;
    if (!user_range_accessible(buf, count, false)) return -err::kEFAULT;
    if (!lstar_monitor) {  // COM1 (QEMU): the kernel copies the bytes out itself
        serial_write(reinterpret_cast<const char*>(buf), count);
        return long(count);
    }
    auto* e = event_prepare<abi::ConsoleWriteEvent>(abi::EventType::ConsoleWrite);
    e->fd = f->node;  // abi::ConsoleStream: Stdout or Stderr
    e->va = buf;
    e->len = count;
    event_send();
    return long(count);
}

extern "C" long sys_writev(unsigned long fd, unsigned long uiov, unsigned long iovcnt, unsigned long, unsigned long,
                           unsigned long) {
    using namespace lstar;
    using namespace lstar::kernel;
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
