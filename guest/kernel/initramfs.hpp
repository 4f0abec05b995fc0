// The initramfs, read-only (compare Linux's init/initramfs.c, which unpacks the same cpio "newc"
// archive into a tmpfs): this kernel leaves the archive where the monitor put it and indexes it on
// first use, so that a file's data are the archive's own bytes, mappable page by page.
#pragma once
#include <cstdint>

namespace lstar::kernel {

struct InitrdNode {
    const char* name;  // canonical: no leading "/" or "./"; "" for the root
    uint32_t name_len;
    uint32_t mode;     // st_mode
    const unsigned char* data;  // in the direct map
    uint64_t size;
    const unsigned char* header;  // the cpio header, for the fields stat() wants; nullptr for the root
};

inline constexpr unsigned kMaxNodes = 512;
extern InitrdNode initrd_nodes[kMaxNodes];  // [0] is the root directory
unsigned initrd_node_count();               // indexes the archive on first call

// The node at a canonical path (no leading "/", no "." or ".." parts, no trailing "/"), or -1.
int initrd_lookup(const char* path, uint32_t len);

// Fill a struct stat (x86-64 layout, 144 bytes, zeroed by the caller) for node i.
void initrd_stat(unsigned i, void* st);

}  // namespace lstar::kernel
