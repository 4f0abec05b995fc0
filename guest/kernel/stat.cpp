// stat(2) and its relatives, readlink(2) (compare Linux's fs/stat.c).
#include "fs.hpp"

#include "cpio_newc.hpp"
#include "initramfs.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "syscall_nr.hpp"
#include "uaccess.hpp"
#include "exec.hpp"
#include "stat.hpp"
#include "syscalls.hpp"

namespace {

using namespace lstar;
using namespace lstar::kernel;

long do_stat_node(long node, uint64_t statbuf) {
    if (!user_range_accessible(statbuf, sizeof(Stat), true)) return -err::kEFAULT;
    auto* st = reinterpret_cast<Stat*>(statbuf);
    memset(st, 0, sizeof *st);
    if (node == kConsoleNode) {
        st->st_dev = 6;  // devtmpfs
        st->st_ino = 2;
        st->st_nlink = 1;
        st->st_mode = cpio::kTypeChr | 0620;
        st->st_rdev = kConsoleRdev;
        st->st_blksize = 1024;
    } else {
        initrd_stat(unsigned(node), st);
    }
    return 0;
}

}  // namespace

using namespace lstar;
using namespace lstar::kernel;

extern "C" long sys_fstat(unsigned long fd, unsigned long statbuf, unsigned long, unsigned long, unsigned long,
                          unsigned long) {
    File* f = get_file(fd);
    if (!f) return -err::kEBADF;
    return do_stat_node(file_node(*f), statbuf);
}

extern "C" long sys_newfstatat(unsigned long dirfd, unsigned long upath, unsigned long statbuf, unsigned long flags,
                               unsigned long, unsigned long) {
    if (flags & ~(kAtSymlinkNofollow | kAtEmptyPath | 0x800 /* AT_NO_AUTOMOUNT */)) return -err::kEINVAL;
    if (flags & kAtEmptyPath) {
        char c;
        const long n = strncpy_from_user(&c, upath, 1);
        if (n == 0) {  // "": the file dirfd refers to
            if (long(dirfd) == kAtFdcwd) return do_stat_node(0, statbuf);
            return sys_fstat(dirfd, statbuf, 0, 0, 0, 0);
        }
    }
    char path[kPathMax];
    uint32_t len;
    const long node = resolve_user_path(long(dirfd), upath, !(flags & kAtSymlinkNofollow), path, len);
    if (node < 0) return node;
    return do_stat_node(node, statbuf);
}

extern "C" long sys_stat(unsigned long upath, unsigned long statbuf, unsigned long, unsigned long, unsigned long,
                         unsigned long) {
    return sys_newfstatat(static_cast<unsigned long>(kAtFdcwd), upath, statbuf, 0, 0, 0);
}

extern "C" long sys_lstat(unsigned long upath, unsigned long statbuf, unsigned long, unsigned long, unsigned long,
                          unsigned long) {
    return sys_newfstatat(static_cast<unsigned long>(kAtFdcwd), upath, statbuf, kAtSymlinkNofollow, 0, 0);
}

extern "C" long sys_readlinkat(unsigned long dirfd, unsigned long upath, unsigned long buf, unsigned long size,
                               unsigned long, unsigned long) {
    if (long(size) <= 0) return -err::kEINVAL;
    char path[kPathMax];
    const long n = strncpy_from_user(path, upath, kPathMax);
    if (n < 0) return n;
    const char* target;
    uint64_t len;
    if (n == 14 && memcmp(path, "/proc/self/exe", 14) == 0) {
        target = exe_path;
        len = strlen(exe_path);
    } else {
        char canon[kPathMax];
        uint32_t clen;
        const long node = resolve_path(long(dirfd), path, false, canon, clen);
        if (node < 0) return node;
        if (node == kConsoleNode || !is_type(initrd_nodes[node].mode, cpio::kTypeLnk)) return -err::kEINVAL;
        target = reinterpret_cast<const char*>(initrd_nodes[node].data);
        len = initrd_nodes[node].size;
    }
    if (len > size) len = size;
    if (!user_range_accessible(buf, len, true)) return -err::kEFAULT;
    memcpy(reinterpret_cast<void*>(buf), target, len);
    return long(len);
}

extern "C" long sys_readlink(unsigned long upath, unsigned long buf, unsigned long size, unsigned long,
                             unsigned long, unsigned long) {
    return sys_readlinkat(static_cast<unsigned long>(kAtFdcwd), upath, buf, size, 0, 0);
}
