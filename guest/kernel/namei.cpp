// Path lookup (compare Linux's fs/namei.c): "." and ".." removed, relative paths against a
// directory descriptor, symbolic links followed, /dev/console always there.
#include "fs.hpp"

#include "cpio_newc.hpp"
#include "initramfs.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "syscall_nr.hpp"
#include "uaccess.hpp"

namespace lstar::kernel {

namespace {

constexpr unsigned kMaxSymlinks = 8;  // Linux's MAXSYMLINKS (40) is for whole paths; ours is per lookup

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

}  // namespace

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

}  // namespace lstar::kernel
