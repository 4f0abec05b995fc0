#include "boot/initrd.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "cpio_newc.hpp"
#include "loader/elf.hpp"

namespace lstar {

namespace {

namespace fs = std::filesystem;
constexpr uint64_t kPage = 4096;
constexpr uint64_t kNewcMax = 0xffffffffull;  // a field holds 8 hex digits

std::string errno_text(int e) { return std::error_code(e, std::generic_category()).message(); }

// The loader's read_file, its error as an InitrdError (status 65 "--initrd: PATH: reason").
std::vector<uint8_t> read_initrd_file(const std::string& path) {
    try {
        return read_file(path);
    } catch (const std::system_error& e) {
        throw InitrdError(e.what());
    }
}

// One newc entry. data_align: the archive offset the data must start at a multiple of (4 or 4096);
// the name's NUL is followed by as many extra NULs as that takes.
void append_entry(std::vector<uint8_t>& out, const std::string& name, uint32_t ino, uint32_t mode, uint32_t nlink,
                  uint64_t mtime, const std::vector<uint8_t>& data, uint64_t data_align) {
    if (data.size() > kNewcMax) throw InitrdError(name + ": larger than a cpio newc entry can hold (4 GiB)");
    const uint64_t header = out.size();
    uint64_t namesize = name.size() + 1;
    const uint64_t data_at = (header + cpio::kHeaderSize + namesize + data_align - 1) / data_align * data_align;
    namesize = data_at - header - cpio::kHeaderSize;
    const uint32_t fields[cpio::kFields] = {ino, mode, 0, 0, nlink, uint32_t(mtime), uint32_t(data.size()),
                                            0, 0, 0, 0, uint32_t(namesize), 0};
    char h[cpio::kHeaderSize + 1];
    int n = std::snprintf(h, sizeof h, "070701");
    for (uint32_t f : fields) n += std::snprintf(h + n, sizeof h - n, "%08X", f);
    out.insert(out.end(), h, h + cpio::kHeaderSize);
    out.insert(out.end(), name.begin(), name.end());
    out.resize(data_at, 0);  // the NUL, the padding NULs
    out.insert(out.end(), data.begin(), data.end());
    out.resize(cpio::align4(out.size()), 0);
}

}  // namespace

std::vector<uint8_t> pack_initrd_dir(const std::string& dir) {
    std::error_code ec;
    std::vector<fs::path> paths;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
        paths.push_back(it->path());
    if (ec) throw InitrdError(dir + ": " + ec.message());
    std::sort(paths.begin(), paths.end());  // a directory sorts before what it holds

    std::vector<uint8_t> out;
    uint32_t ino = 1;
    for (const auto& p : paths) {
        struct stat st {};
        if (::lstat(p.c_str(), &st) != 0) throw InitrdError(p.string() + ": " + errno_text(errno));
        const std::string name = p.lexically_relative(dir).generic_string();  // relative() would follow a link
        const uint32_t mode = st.st_mode & 07777;
        std::vector<uint8_t> data;
        if (S_ISDIR(st.st_mode)) {
            append_entry(out, name, ino++, cpio::kTypeDir | mode, 2, st.st_mtime, data, 4);
        } else if (S_ISREG(st.st_mode)) {
            data = read_initrd_file(p.string());
            append_entry(out, name, ino++, cpio::kTypeReg | mode, 1, st.st_mtime, data, data.empty() ? 4 : kPage);
        } else if (S_ISLNK(st.st_mode)) {
            std::string target(size_t(st.st_size) + 1, '\0');
            ssize_t n = ::readlink(p.c_str(), target.data(), target.size());
            if (n < 0) throw InitrdError(p.string() + ": " + errno_text(errno));
            data.assign(target.begin(), target.begin() + n);
            append_entry(out, name, ino++, cpio::kTypeLnk | 0777, 1, st.st_mtime, data, 4);
        } else {
            throw InitrdError(p.string() + ": not a directory, regular file or symbolic link");
        }
    }
    append_entry(out, cpio::kTrailer, 0, 0, 1, 0, {}, 4);
    return out;
}

unsigned validate_initrd(const std::vector<uint8_t>& a) {
    uint64_t off = 0;
    unsigned n = 0;
    for (;;) {
        cpio::Entry e;
        const char* why = "";
        switch (cpio::read_entry(a.data(), a.size(), off, e, &why)) {
        case cpio::Status::End: return n;
        case cpio::Status::Error:
            throw InitrdError("not a valid cpio newc archive: entry " + std::to_string(n) + " at offset " +
                              std::to_string(off) + ": " + why);
        case cpio::Status::Ok: break;
        }
        for (unsigned f = 0; f < cpio::kFields; f++)
            if (cpio::field(e, cpio::Field(f)) == ~0u)
                throw InitrdError("not a valid cpio newc archive: entry " + std::to_string(n) + " (" + e.name +
                                  "): header field " + std::to_string(f) + " is not hexadecimal");
        off = e.next_offset;
        n++;
    }
}

std::vector<uint8_t> load_initrd(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) return pack_initrd_dir(path);
    if (!fs::exists(path, ec)) throw InitrdError(path + ": no such file or directory");
    auto a = read_initrd_file(path);
    if (a.empty()) throw InitrdError(path + ": empty file (not a cpio newc archive)");
    try {
        validate_initrd(a);
    } catch (const InitrdError& e) {
        throw InitrdError(path + ": " + e.what());
    }
    return a;
}

uint64_t place_initrd(uint64_t ram_bytes, uint64_t free_start, uint64_t size) {
    const uint64_t need = size > ram_bytes ? ~0ull : (size + kPage - 1) & ~(kPage - 1);
    const uint64_t top = ram_bytes & ~(kPage - 1);
    if (need > top || top - need < free_start || top - need - free_start < kInitrdMinFree)
        throw InitrdError("the initrd (" + std::to_string(size) + " bytes) does not fit in guest RAM (" +
                          std::to_string(ram_bytes >> 20) + " MiB) with the kernel and " +
                          std::to_string(kInitrdMinFree >> 20) + " MiB free: give more with -m");
    return top - need;
}

}  // namespace lstar
