// The initial RAM filesystem (--initrd): a directory packed as a cpio "newc" archive, or an
// archive given as is (validated), and where it goes in guest RAM (docs/boot-protocol.md).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace lstar {

struct InitrdError : BadImage {
    explicit InitrdError(const std::string& what) : BadImage(what, "--initrd") {}
};

// Pack the tree under `dir` (directories, regular files, symbolic links; sorted by name, so the
// archive is the same on every run) as newc, owner root, each regular file's data starting on a
// 4 KiB boundary of the archive (the name field carries the padding NULs: shared/cpio_newc.hpp).
// Throws InitrdError naming the file that cannot be read or is of another type.
std::vector<uint8_t> pack_initrd_dir(const std::string& dir);

// Check a whole archive: every entry well-formed up to "TRAILER!!!". Returns the number of
// entries before the trailer; throws InitrdError with the offset and the reason otherwise.
unsigned validate_initrd(const std::vector<uint8_t>& archive);

// A directory is packed, a file read and validated. Throws InitrdError.
std::vector<uint8_t> load_initrd(const std::string& path);

// Where an archive of `size` bytes goes: page-aligned at the top of RAM, so that the kernel's
// free RAM [free_start, result) stays one range. Throws InitrdError when it leaves the kernel less
// than kInitrdMinFree of free RAM.
inline constexpr uint64_t kInitrdMinFree = 4ull << 20;
uint64_t place_initrd(uint64_t ram_bytes, uint64_t free_start, uint64_t size);

}  // namespace lstar
