// dup(2), dup2(2), dup3(2), fcntl(2) (compare Linux's fs/file.c ksys_dup3 and fs/fcntl.c).
#include "fs.hpp"
#include "kernel.hpp"
#include "resource.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"

using namespace lstar;
using namespace lstar::kernel;

namespace {

constexpr unsigned long kFDupfd = 0, kFGetfd = 1, kFSetfd = 2, kFGetfl = 3, kFSetfl = 4, kFDupfdCloexec = 1030;
constexpr unsigned long kFdCloexec = 1;
// What F_SETFL may change (Linux's SETFL_MASK, of the flags this kernel knows).
constexpr uint32_t kSetflMask = uint32_t(kOAppend | kONonblock);

}  // namespace

extern "C" long sys_dup(unsigned long fd, unsigned long, unsigned long, unsigned long, unsigned long, unsigned long) {
    return dup_from(fd, 0, false);
}

extern "C" long sys_dup3(unsigned long oldfd, unsigned long newfd, unsigned long flags, unsigned long, unsigned long,
                         unsigned long) {
    if (flags & ~kOCloexec) return -err::kEINVAL;
    if (oldfd == newfd) return -err::kEINVAL;
    return dup_to(oldfd, newfd, flags & kOCloexec);
}

extern "C" long sys_dup2(unsigned long oldfd, unsigned long newfd, unsigned long, unsigned long, unsigned long,
                         unsigned long) {
    if (oldfd == newfd) return get_file(oldfd) ? long(newfd) : -err::kEBADF;  // and FD_CLOEXEC stays
    return dup_to(oldfd, newfd, false);
}

extern "C" long sys_fcntl(unsigned long fd, unsigned long cmd, unsigned long arg, unsigned long, unsigned long,
                          unsigned long) {
    File* f = get_file(fd);
    if (!f) return -err::kEBADF;
    switch (cmd) {
    case kFDupfd: return dup_from(fd, arg, false);
    case kFDupfdCloexec: return dup_from(fd, arg, true);
    case kFGetfd: return fd_table[fd].cloexec ? long(kFdCloexec) : 0;
    case kFSetfd: fd_table[fd].cloexec = arg & kFdCloexec; return 0;
    case kFGetfl: return long(f->flags);
    case kFSetfl: f->flags = (f->flags & ~kSetflMask) | (uint32_t(arg) & kSetflMask); return 0;
    default: return -err::kEINVAL;
    }
}
