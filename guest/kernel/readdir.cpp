// getdents64(2) (compare Linux's fs/readdir.c): a directory of the initramfs, listed from the
// archive's names.
#include "fs.hpp"

#include "cpio_newc.hpp"
#include "initramfs.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "syscall_nr.hpp"
#include "uaccess.hpp"
#include "stat.hpp"
#include "syscalls.hpp"

using namespace lstar;
using namespace lstar::kernel;

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
