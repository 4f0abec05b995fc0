// File system calls on the initramfs and the console (compare Linux's fs/open.c, fs/read_write.c,
// fs/stat.c, fs/readdir.c, fs/namei.c). Files are read-only: the initramfs is the archive the
// monitor loaded, used in place. Reads copy from it with one `rep movsb`; mmap maps its pages.
#include "fs.hpp"

#include "cpio_newc.hpp"
#include "exec.hpp"
#include "initramfs.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "resource.hpp"
#include "stat.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"
#include "uaccess.hpp"

namespace lstar::kernel {

File fd_table[kMaxFds];

namespace {

constexpr long kAtFdcwd = -100;
constexpr unsigned long kAtSymlinkNofollow = 0x100, kAtEmptyPath = 0x1000;
constexpr unsigned long kOAccmode = 3, kOCreat = 0100, kOTrunc = 01000, kODirectory = 0200000,
                        kONofollow = 0400000, kOCloexec = 02000000;
constexpr unsigned kMaxSymlinks = 8;  // Linux's MAXSYMLINKS (40) is for whole paths; ours is per lookup

File* get_file(unsigned long fd) {
    if (fd >= kMaxFds || fd_table[fd].kind == FileKind::None) return nullptr;
    return &fd_table[fd];
}

bool is_type(uint32_t mode, uint32_t type) { return (mode & cpio::kTypeMask) == type; }

// "a/./b/../c" -> "a/c", into out[kPathMax]; ".." at the root stays there.
long normalize(const char* p, uint32_t plen, char* out, uint32_t& len) {
    len = 0;
    for (uint32_t i = 0; i < plen;) {
        while (i < plen && p[i] == '/') i++;
        uint32_t j = i;
        while (j < plen && p[j] != '/') j++;
        const uint32_t n = j - i;
        if (n == 0 || (n == 1 && p[i] == '.')) {
        } else if (n == 2 && p[i] == '.' && p[i + 1] == '.') {
            while (len && out[len - 1] != '/') len--;
            if (len) len--;
        } else {
            if (len + n + 2 > kPathMax) return -err::kENAMETOOLONG;
            if (len) out[len++] = '/';
            memcpy(out + len, p + i, n);
            len += n;
        }
        i = j;
    }
    out[len] = '\0';
    return 0;
}

bool is_console_path(const char* p, uint32_t len) {
    return len == 11 && memcmp(p, "dev/console", 11) == 0;
}

long alloc_fd(FileKind kind, uint32_t node, bool cloexec) {
    uint64_t limit = rlimit(kRlimitNofile);
    if (limit > kMaxFds) limit = kMaxFds;
    for (unsigned fd = 0; fd < limit; fd++)
        if (fd_table[fd].kind == FileKind::None) {
            fd_table[fd] = {kind, cloexec, node, 0};
            return fd;
        }
    return -err::kEMFILE;
}

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

long file_node(const File& f) { return f.kind == FileKind::Console ? kConsoleNode : long(f.node); }

long do_read(File& f, uint64_t buf, uint64_t count, uint64_t pos, bool advance) {
    if (f.kind == FileKind::Console) return 0;  // no input: end of file
    if (f.kind == FileKind::Directory) return -err::kEISDIR;
    const InitrdNode& n = initrd_nodes[f.node];
    if (pos >= n.size) return 0;
    if (count > n.size - pos) count = n.size - pos;
    if (!user_range_accessible(buf, count, true)) return -err::kEFAULT;
    memcpy(reinterpret_cast<void*>(buf), n.data + pos, count);
    if (advance) f.pos = pos + count;
    return long(count);
}

struct Iovec {
    uint64_t base, len;
};

}  // namespace

void files_init() {
    for (unsigned fd = 0; fd < 3; fd++) fd_table[fd] = {FileKind::Console, false, 0, 0};
}

void close_on_exec() {
    for (auto& f : fd_table)
        if (f.cloexec) f.kind = FileKind::None, f.cloexec = false;
}

long resolve_path(long dirfd, const char* path, bool follow, char* out, uint32_t& len) {
    char work[2 * kPathMax + 2];
    uint32_t n = 0;
    if (path[0] != '/' && dirfd != kAtFdcwd) {
        File* d = dirfd < 0 ? nullptr : get_file(unsigned(dirfd));
        if (!d) return -err::kEBADF;
        if (d->kind != FileKind::Directory) return -err::kENOTDIR;
        memcpy(work, initrd_nodes[d->node].name, n = initrd_nodes[d->node].name_len);
        work[n++] = '/';
    }
    const uint32_t plen = uint32_t(strlen(path));
    if (!plen) return -err::kENOENT;
    memcpy(work + n, path, plen);
    if (long e = normalize(work, n + plen, out, len)) return e;
    for (unsigned hops = 0;; hops++) {
        if (is_console_path(out, len)) return kConsoleNode;
        const int i = initrd_lookup(out, len);
        if (i < 0) return -err::kENOENT;
        const InitrdNode& node = initrd_nodes[i];
        if (!follow || !is_type(node.mode, cpio::kTypeLnk)) return i;
        if (hops == kMaxSymlinks || node.size >= kPathMax) return -err::kELOOP;
        // The target, relative to the link's directory unless absolute.
        uint32_t parent = len;
        while (parent && out[parent - 1] != '/') parent--;
        n = node.data[0] == '/' ? 0 : parent;
        memcpy(work, out, n);
        memcpy(work + n, node.data, node.size);
        if (long e = normalize(work, n + uint32_t(node.size), out, len)) return e;
    }
}

long resolve_user_path(long dirfd, uint64_t upath, bool follow, char* out, uint32_t& len) {
    char path[kPathMax];
    const long n = strncpy_from_user(path, upath, kPathMax);
    if (n < 0) return n;
    return resolve_path(dirfd, path, follow, out, len);
}

long file_for_mmap(unsigned long fd, const unsigned char*& data, uint64_t& size) {
    File* f = get_file(fd);
    if (!f) return -err::kEBADF;
    if (f->kind != FileKind::Regular) return -err::kEINVAL;
    data = initrd_nodes[f->node].data;
    size = initrd_nodes[f->node].size;
    return 0;
}

bool fd_is_console(unsigned long fd) {
    const File* f = get_file(fd);
    return f && f->kind == FileKind::Console;
}

}  // namespace lstar::kernel

using namespace lstar;
using namespace lstar::kernel;

extern "C" long sys_openat(unsigned long dirfd, unsigned long upath, unsigned long flags, unsigned long,
                           unsigned long, unsigned long) {
    char path[kPathMax];
    uint32_t len;
    const long node = resolve_user_path(long(dirfd), upath, !(flags & kONofollow), path, len);
    const bool cloexec = flags & kOCloexec;
    if (node == kConsoleNode) return alloc_fd(FileKind::Console, 0, cloexec);
    if (node == -err::kENOENT && (flags & kOCreat)) return -err::kEROFS;  // nothing can be created
    if (node < 0) return node;
    const uint32_t mode = initrd_nodes[node].mode;
    if (is_type(mode, cpio::kTypeLnk)) return -err::kELOOP;  // O_NOFOLLOW on a link
    const bool dir = is_type(mode, cpio::kTypeDir);
    if ((flags & kODirectory) && !dir) return -err::kENOTDIR;
    if ((flags & kOAccmode) != 0 || (flags & kOTrunc)) return dir ? -err::kEISDIR : -err::kEROFS;
    return alloc_fd(dir ? FileKind::Directory : FileKind::Regular, uint32_t(node), cloexec);
}

extern "C" long sys_open(unsigned long upath, unsigned long flags, unsigned long mode, unsigned long,
                         unsigned long, unsigned long) {
    return sys_openat(static_cast<unsigned long>(kAtFdcwd), upath, flags, mode, 0, 0);
}

extern "C" long sys_close(unsigned long fd, unsigned long, unsigned long, unsigned long, unsigned long,
                          unsigned long) {
    File* f = get_file(fd);
    if (!f) return -err::kEBADF;
    f->kind = FileKind::None;
    f->cloexec = false;
    return 0;
}

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

extern "C" long sys_getdents64(unsigned long fd, unsigned long dirp, unsigned long count, unsigned long,
                               unsigned long, unsigned long) {
    File* f = get_file(fd);
    if (!f) return -err::kEBADF;
    if (f->kind != FileKind::Directory) return -err::kENOTDIR;
    if (!user_range_accessible(dirp, count, true)) return -err::kEFAULT;
    const InitrdNode& dir = initrd_nodes[f->node];
    const unsigned nodes = initrd_node_count();
    uint64_t written = 0;
    // Cursor: 0 ".", 1 "..", then 2 + node index (d_off is the cursor of the next entry).
    for (; f->pos < 2 + uint64_t(nodes); f->pos++) {
        const char* name;
        uint32_t len;
        uint64_t ino;
        uint8_t type;
        if (f->pos < 2) {
            name = "..";
            len = uint32_t(f->pos + 1);
            ino = f->pos == 0 && dir.header ? cpio::parse_hex8(dir.header + 6 + 8 * cpio::kIno) : 1;
            type = 4;  // DT_DIR
        } else {
            const InitrdNode& n = initrd_nodes[f->pos - 2];
            // A child: "dir/" + a name without "/" (the root's children have no "/" at all).
            if (f->pos == 2 || n.name_len <= dir.name_len + (dir.name_len ? 1 : 0)) continue;
            if (dir.name_len && (memcmp(n.name, dir.name, dir.name_len) != 0 || n.name[dir.name_len] != '/')) continue;
            name = n.name + dir.name_len + (dir.name_len ? 1 : 0);
            len = n.name_len - uint32_t(name - n.name);
            bool nested = false;
            for (uint32_t i = 0; i < len; i++) nested |= name[i] == '/';
            if (nested) continue;
            ino = cpio::parse_hex8(n.header + 6 + 8 * cpio::kIno);
            type = uint8_t((n.mode & cpio::kTypeMask) >> 12);  // DT_* is S_IFMT >> 12
        }
        const uint64_t reclen = (sizeof(LinuxDirent64) + len + 1 + 7) & ~uint64_t(7);
        if (written + reclen > count) {
            if (!written) return -err::kEINVAL;  // the buffer cannot hold even one entry
            break;
        }
        auto* d = reinterpret_cast<LinuxDirent64*>(dirp + written);
        d->d_ino = ino;
        d->d_off = int64_t(f->pos + 1);
        d->d_reclen = uint16_t(reclen);
        d->d_type = type;
        memcpy(d->d_name, name, len);
        d->d_name[len] = '\0';
        written += reclen;
    }
    return long(written);
}

extern "C" long sys_ioctl(unsigned long fd, unsigned long, unsigned long, unsigned long, unsigned long,
                          unsigned long) {
    // The console is the monitor's output stream, not a terminal the guest can configure:
    // TCGETS answers -ENOTTY, as for a pipe (so stdio buffers fully, as it does on the host
    // when output is redirected).
    if (!get_file(fd)) return -err::kEBADF;
    return -err::kENOTTY;
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
