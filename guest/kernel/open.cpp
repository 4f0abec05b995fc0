// open(2), openat(2), close(2) (compare Linux's fs/open.c). Files are read-only: the initramfs is
// the archive the monitor loaded, used in place.
#include "fs.hpp"

#include "cpio_newc.hpp"
#include "initramfs.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "syscall_nr.hpp"
#include "uaccess.hpp"
#include "syscalls.hpp"

using namespace lstar;
using namespace lstar::kernel;

extern "C" long sys_openat(unsigned long dirfd, unsigned long upath, unsigned long flags, unsigned long,
                           unsigned long, unsigned long) {
    char path[kPathMax];
    uint32_t len;
    const long node = resolve_user_path(long(dirfd), upath, !(flags & kONofollow), path, len);
    const uint32_t fl = uint32_t(flags) | kOLargefile;  // as force_o_largefile() on 64-bit
    if (node == kConsoleNode) return alloc_fd(FileKind::Console, uint32_t(abi::ConsoleStream::Stdout), fl);
    if (node == -err::kENOENT && (flags & kOCreat)) return -err::kEROFS;  // nothing can be created
    if (node < 0) return node;
    const uint32_t mode = initrd_nodes[node].mode;
    if (is_type(mode, cpio::kTypeLnk)) return -err::kELOOP;  // O_NOFOLLOW on a link
    const bool dir = is_type(mode, cpio::kTypeDir);
    if ((flags & kODirectory) && !dir) return -err::kENOTDIR;
    if ((flags & kOAccmode) != 0 || (flags & kOTrunc)) return dir ? -err::kEISDIR : -err::kEROFS;
    return alloc_fd(dir ? FileKind::Directory : FileKind::Regular, uint32_t(node), fl);
}

extern "C" long sys_open(unsigned long upath, unsigned long flags, unsigned long mode, unsigned long,
                         unsigned long, unsigned long) {
    return sys_openat(static_cast<unsigned long>(kAtFdcwd), upath, flags, mode, 0, 0);
}

extern "C" long sys_close(unsigned long fd, unsigned long, unsigned long, unsigned long, unsigned long,
                          unsigned long) {
    return close_fd(fd);
}
