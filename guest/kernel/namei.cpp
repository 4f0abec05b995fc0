// Path lookup (compare Linux's fs/namei.c): "." and ".." removed, relative paths against a
// directory descriptor or the working directory, symbolic links followed, /dev/console always
// there. And the working directory itself: getcwd(2), chdir(2), fchdir(2) (fs/d_path.c, fs/open.c).
#include "fs.hpp"

#include "cpio_newc.hpp"
#include "initramfs.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "syscall_nr.hpp"
#include "uaccess.hpp"

namespace lstar::kernel {

char cwd_path[kPathMax];  // "" = "/" (what the first program starts in); execve keeps it
uint32_t cwd_len;

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
    // The *at() calls take an int: glibc's AT_FDCWD may arrive as 0xffffff9c, not sign-extended.
    dirfd = static_cast<int>(dirfd);
    char work[2 * kPathMax + 2];
    uint32_t n = 0;
    if (path[0] != '/' && dirfd == kAtFdcwd) {
        memcpy(work, cwd_path, n = cwd_len);
        work[n++] = '/';
    } else if (path[0] != '/') {
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

using namespace lstar;
using namespace lstar::kernel;

namespace {

long set_cwd(long node) {
    if (node == kConsoleNode) return -err::kENOTDIR;
    if (node < 0) return node;
    const InitrdNode& n = initrd_nodes[node];
    if (!is_type(n.mode, cpio::kTypeDir)) return -err::kENOTDIR;
    if (!(n.mode & 0111)) return -err::kEACCES;  // search permission (we run as root: any x bit)
    memcpy(cwd_path, n.name, n.name_len);
    cwd_len = n.name_len;
    cwd_path[cwd_len] = '\0';
    return 0;
}

}  // namespace

extern "C" long sys_chdir(unsigned long upath, unsigned long, unsigned long, unsigned long, unsigned long,
                          unsigned long) {
    char path[kPathMax];
    uint32_t len;
    return set_cwd(resolve_user_path(kAtFdcwd, upath, true, path, len));
}

extern "C" long sys_fchdir(unsigned long fd, unsigned long, unsigned long, unsigned long, unsigned long,
                           unsigned long) {
    const File* f = get_file(fd);
    if (!f) return -err::kEBADF;
    if (f->kind != FileKind::Directory) return -err::kENOTDIR;
    return set_cwd(long(f->node));
}

// getcwd(2) returns the length including the NUL, as Linux's syscall does (glibc returns buf).
extern "C" long sys_getcwd(unsigned long ubuf, unsigned long size, unsigned long, unsigned long, unsigned long,
                           unsigned long) {
    const uint64_t len = cwd_len + 2;  // "/" + the path + NUL
    if (size < len) return -err::kERANGE;
    if (!user_range_accessible(ubuf, len, true)) return -err::kEFAULT;
    char* out = reinterpret_cast<char*>(ubuf);
    out[0] = '/';
    memcpy(out + 1, cwd_path, cwd_len);
    out[len - 1] = '\0';
    return long(len);
}
