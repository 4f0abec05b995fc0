// The table of open files (compare Linux's fs/file.c): descriptors 0-2 are the console, the rest
// are initramfs files and directories, closed on exec when O_CLOEXEC asked for it.
#include "fs.hpp"

#include "cpio_newc.hpp"
#include "initramfs.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "syscall_nr.hpp"
#include "uaccess.hpp"
#include "resource.hpp"

namespace lstar::kernel {

File fd_table[kMaxFds];

File* get_file(unsigned long fd) {
    if (fd >= kMaxFds || fd_table[fd].kind == FileKind::None) return nullptr;
    return &fd_table[fd];
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

long file_node(const File& f) { return f.kind == FileKind::Console ? kConsoleNode : long(f.node); }

void files_init() {
    for (unsigned fd = 0; fd < 3; fd++) fd_table[fd] = {FileKind::Console, false, 0, 0};
}

void close_on_exec() {
    for (auto& f : fd_table)
        if (f.cloexec) f.kind = FileKind::None, f.cloexec = false;
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
