// struct stat as x86-64 Linux lays it out (arch/x86/include/uapi/asm/stat.h), and
// struct linux_dirent64 (include/linux/dirent.h).
#pragma once
#include <cstdint>

namespace lstar::kernel {

struct Stat {
    uint64_t st_dev, st_ino, st_nlink;
    uint32_t st_mode, st_uid, st_gid, pad0;
    uint64_t st_rdev;
    int64_t st_size, st_blksize, st_blocks;
    int64_t st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
    int64_t unused[3];
};
static_assert(sizeof(Stat) == 144);

struct LinuxDirent64 {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen;
    uint8_t d_type;
    char d_name[];
};

inline constexpr uint64_t kInitrdDev = 1;        // st_dev of initramfs files (rootfs)
inline constexpr uint64_t kConsoleRdev = 0x501;  // makedev(5, 1): /dev/console

}  // namespace lstar::kernel
