#include "initramfs.hpp"

#include "cpio_newc.hpp"
#include "kernel.hpp"
#include "printk.hpp"
#include "stat.hpp"

namespace lstar::kernel {

InitrdNode initrd_nodes[kMaxNodes];

namespace {

unsigned count;
bool indexed;

void build_index() {
    indexed = true;
    initrd_nodes[0] = {"", 0, cpio::kTypeDir | 0755, nullptr, 0, nullptr};
    count = 1;
    if (!boot_info->initrd_size) return;
    const auto* base = phys_to_virt<const unsigned char>(boot_info->initrd_phys);
    const uint64_t size = boot_info->initrd_size;
    uint64_t off = 0;
    unsigned skipped = 0;
    for (;;) {
        cpio::Entry e;
        const char* why = "";
        const cpio::Status st = cpio::read_entry(base, size, off, e, &why);
        if (st == cpio::Status::End) break;
        if (st == cpio::Status::Error) {
            pr_err("initramfs: bad entry at offset %lu (%s); the rest is ignored", off, why);
            break;
        }
        off = e.next_offset;
        uint32_t len = e.name_len;
        const char* name = cpio::canonical_name(e.name, len);
        if (!len) continue;  // "." itself: the root is implicit
        if (count == kMaxNodes) {
            skipped++;
            continue;
        }
        initrd_nodes[count++] = {name, len, e.mode, base + e.data_offset, e.filesize, e.header};
    }
    // Like Linux, say nothing when all is well: a log line is a VM exit, and console output.
    if (skipped) pr_err("initramfs: more than %u entries; %u ignored", kMaxNodes - 1, skipped);
}

}  // namespace

unsigned initrd_node_count() {
    if (!indexed) build_index();
    return count;
}

int initrd_lookup(const char* path, uint32_t len) {
    const unsigned n = initrd_node_count();
    if (!len) return 0;
    // Later entries win, as unpacking an archive overwrites earlier ones.
    for (unsigned i = n; i-- > 1;) {
        const InitrdNode& node = initrd_nodes[i];
        if (node.name_len == len && memcmp(node.name, path, len) == 0) return int(i);
    }
    return -1;
}

void initrd_stat(unsigned i, void* buf) {
    auto* st = static_cast<Stat*>(buf);
    const InitrdNode& n = initrd_nodes[i];
    st->st_dev = kInitrdDev;
    st->st_ino = n.header ? cpio::parse_hex8(n.header + 6 + 8 * cpio::kIno) : 1;
    st->st_mode = n.mode;
    st->st_nlink = n.header ? cpio::parse_hex8(n.header + 6 + 8 * cpio::kNlink) : 2;
    st->st_uid = n.header ? cpio::parse_hex8(n.header + 6 + 8 * cpio::kUid) : 0;
    st->st_gid = n.header ? cpio::parse_hex8(n.header + 6 + 8 * cpio::kGid) : 0;
    st->st_size = int64_t(n.size);
    st->st_blksize = 4096;
    st->st_blocks = int64_t((n.size + 511) / 512);
    const int64_t mtime = n.header ? cpio::parse_hex8(n.header + 6 + 8 * cpio::kMtime) : 0;
    st->st_atime = st->st_mtime = st->st_ctime = mtime;
}

}  // namespace lstar::kernel
