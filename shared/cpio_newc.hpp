// The cpio "newc" archive format (the initramfs format: Linux's init/initramfs.c,
// Documentation/driver-api/early-userspace/buffer-format.rst), read by the guest kernel (the
// initrd) and by the monitor (validating an archive it is given, reading back one it packed).
//
// Freestanding and header-only: nothing beyond <cstdint>/<cstddef>, no allocation, no exceptions,
// so that the kernel's ring-0 code (-mgeneral-regs-only) and the host's fuzzer use the same code.
//
// An entry is a 110-byte ASCII header ("070701" or "070702", then 13 fields of 8 hex digits), the
// name (c_namesize bytes, NUL included), padding to 4 bytes, the data (c_filesize bytes), padding
// to 4 bytes. The entry named "TRAILER!!!" ends the archive. The name may carry extra NULs after its
// terminator (c_namesize counts them): lstar's packer uses that to start a file's data on a 4 KiB
// boundary, so that the kernel can map those pages instead of copying them; every reader that
// takes the name as a C string (Linux, GNU cpio) sees the same name.
#pragma once
#include <cstddef>
#include <cstdint>

namespace lstar::cpio {

inline constexpr uint64_t kHeaderSize = 110;
inline constexpr unsigned kFields = 13;
inline constexpr char kTrailer[] = "TRAILER!!!";

// st_mode bits (as Linux's stat.h).
inline constexpr uint32_t kTypeMask = 0170000, kTypeDir = 0040000, kTypeReg = 0100000, kTypeLnk = 0120000,
                          kTypeChr = 0020000, kTypeBlk = 0060000, kTypeFifo = 0010000, kTypeSock = 0140000;

// The header fields, in their order in the header.
enum Field : unsigned {
    kIno, kMode, kUid, kGid, kNlink, kMtime, kFilesize, kDevMajor, kDevMinor, kRdevMajor, kRdevMinor, kNamesize,
    kCheck
};

struct Entry {
    uint64_t header_offset;  // of this entry's header in the archive
    uint64_t data_offset;    // of its data (4-byte aligned)
    uint64_t next_offset;    // of the next header
    const char* name;        // NUL-terminated inside the archive
    uint32_t name_len;       // strlen(name)
    uint32_t mode;
    uint32_t filesize;
    // The fields not needed for walking the archive; read them with field().
    const unsigned char* header;
};

enum class Status { Ok, End, Error };

// A field as a number, or ~0u when its 8 characters are not all hex digits.
inline uint32_t parse_hex8(const unsigned char* p) {
    uint32_t v = 0;
    for (unsigned i = 0; i < 8; i++) {
        unsigned c = p[i], d;
        if (c - '0' <= 9) d = c - '0';
        else if ((c | 0x20) - 'a' <= 5) d = (c | 0x20) - 'a' + 10;
        else return ~0u;
        v = v << 4 | d;
    }
    return v;
}

inline uint32_t field(const Entry& e, Field f) { return parse_hex8(e.header + 6 + 8 * f); }

constexpr uint64_t align4(uint64_t v) { return (v + 3) & ~uint64_t(3); }

// Read the entry at `offset` of archive [base, base + size). Ok: `out` is filled and lies wholly
// inside the archive. End: the trailer. Error: anything else (bad magic, a field that is not hex,
// a name without its NUL, sizes running past the end); `why` then says what.
inline Status read_entry(const unsigned char* base, uint64_t size, uint64_t offset, Entry& out,
                         const char** why = nullptr) {
    auto fail = [why](const char* w) {
        if (why) *why = w;
        return Status::Error;
    };
    if (offset > size || size - offset < kHeaderSize) return fail("truncated header");
    const unsigned char* h = base + offset;
    if (h[0] != '0' || h[1] != '7' || h[2] != '0' || h[3] != '7' || h[4] != '0' || (h[5] != '1' && h[5] != '2'))
        return fail("bad magic (not a cpio newc archive)");
    const uint32_t namesize = parse_hex8(h + 6 + 8 * kNamesize);
    const uint32_t filesize = parse_hex8(h + 6 + 8 * kFilesize);
    const uint32_t mode = parse_hex8(h + 6 + 8 * kMode);
    if (namesize == ~0u || filesize == ~0u || mode == ~0u) return fail("a header field is not hexadecimal");
    if (namesize == 0) return fail("empty name");
    if (size - offset - kHeaderSize < namesize) return fail("name runs past the end");
    const char* name = reinterpret_cast<const char*>(h + kHeaderSize);
    uint32_t len = 0;
    while (len < namesize && name[len]) len++;
    if (len == namesize) return fail("name without its NUL");
    const uint64_t data = align4(offset + kHeaderSize + namesize);
    bool trailer = len == sizeof kTrailer - 1;
    for (uint32_t i = 0; trailer && i < len; i++) trailer = name[i] == kTrailer[i];
    // The trailer may end the archive without its padding.
    const bool short_trailer = trailer && filesize == 0 && data - size < 4;
    if ((data > size || size - data < filesize) && !short_trailer) return fail("data runs past the end");
    out.header_offset = offset;
    out.data_offset = data;
    out.next_offset = align4(data + filesize);
    out.name = name;
    out.name_len = len;
    out.mode = mode;
    out.filesize = filesize;
    out.header = h;
    if (trailer) return Status::End;
    return Status::Ok;
}

// The name without a leading "./" or "/" (archives made by `find . | cpio -o` say "./bin/x"),
// so that "." itself becomes "".
inline const char* canonical_name(const char* name, uint32_t& len) {
    while (len && name[0] == '/') name++, len--;
    if (len >= 2 && name[0] == '.' && name[1] == '/') {
        name += 2, len -= 2;
        while (len && name[0] == '/') name++, len--;
    } else if (len == 1 && name[0] == '.') {
        len = 0;
    }
    return name;
}

}  // namespace lstar::cpio
