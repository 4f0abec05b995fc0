// The table of open files (compare Linux's fs/file.c): descriptors 0-2 are the console (the
// monitor's stdin, stdout and stderr), the rest are initramfs files and directories, closed on
// exec when O_CLOEXEC asked for it. Descriptors point at open file descriptions (a pool as large
// as the table), which dup shares.
#include "fs.hpp"

#include "cpio_newc.hpp"
#include "initramfs.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "syscall_nr.hpp"
#include "uaccess.hpp"
#include "resource.hpp"

namespace lstar::kernel {

FdEntry fd_table[kMaxFds];

namespace {

File files[kMaxFds];

File* alloc_file(FileKind kind, uint32_t node, uint32_t flags) {
    for (auto& f : files)
        if (!f.refs) {
            f = {kind, node, 0, flags, 1};
            return &f;
        }
    return nullptr;
}

void put_file(File* f) {
    if (f && f->refs) f->refs--;
}

}  // namespace

File* get_file(unsigned long fd) { return fd < kMaxFds ? fd_table[fd].file : nullptr; }

long alloc_fd(FileKind kind, uint32_t node, uint32_t flags) {
    uint64_t limit = rlimit(kRlimitNofile);
    if (limit > kMaxFds) limit = kMaxFds;
    for (unsigned fd = 0; fd < limit; fd++)
        if (!fd_table[fd].file) {
            File* f = alloc_file(kind, node, flags & ~uint32_t(kOCloexec | kOCreat | kOTrunc | kONofollow));
            if (!f) return -err::kENFILE;
            fd_table[fd] = {f, bool(flags & kOCloexec)};
            return fd;
        }
    return -err::kEMFILE;
}

long close_fd(unsigned long fd) {
    File* f = get_file(fd);
    if (!f) return -err::kEBADF;
    put_file(f);
    fd_table[fd] = {nullptr, false};
    return 0;
}

long file_node(const File& f) { return f.kind == FileKind::Console ? kConsoleNode : long(f.node); }

void files_init() {
    // As Linux's console_on_rootfs: one open of /dev/console (O_RDWR), dup'ed to 1 and 2 -- except
    // that fd 2 is a description of its own, so that its writes reach the monitor's stderr.
    fd_table[0] = {alloc_file(FileKind::Console, uint32_t(abi::ConsoleStream::Stdout), 2 /* O_RDWR */ | kOLargefile), false};
    fd_table[1] = {fd_table[0].file, false};
    fd_table[0].file->refs++;
    fd_table[2] = {alloc_file(FileKind::Console, uint32_t(abi::ConsoleStream::Stderr), 2 /* O_RDWR */ | kOLargefile), false};
}

void close_on_exec() {
    for (unsigned fd = 0; fd < kMaxFds; fd++)
        if (fd_table[fd].file && fd_table[fd].cloexec) close_fd(fd);
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

// dup2/dup3/F_DUPFD's common part (Linux's do_dup2): newfd now names oldfd's description.
long dup_to(unsigned long oldfd, unsigned long newfd, bool cloexec) {
    File* f = get_file(oldfd);
    if (!f) return -err::kEBADF;
    if (newfd >= kMaxFds || newfd >= rlimit(kRlimitNofile)) return -err::kEBADF;
    if (oldfd != newfd) {
        f->refs++;
        if (fd_table[newfd].file) close_fd(newfd);
        fd_table[newfd].file = f;
    }
    fd_table[newfd].cloexec = cloexec;
    return long(newfd);
}

// F_DUPFD: the lowest free descriptor at or above `from`.
long dup_from(unsigned long oldfd, unsigned long from, bool cloexec) {
    if (!get_file(oldfd)) return -err::kEBADF;
    uint64_t limit = rlimit(kRlimitNofile);
    if (from >= limit) return -err::kEINVAL;
    if (limit > kMaxFds) limit = kMaxFds;
    for (unsigned long fd = from; fd < limit; fd++)
        if (!fd_table[fd].file) return dup_to(oldfd, fd, cloexec);
    return -err::kEMFILE;
}

}  // namespace lstar::kernel
