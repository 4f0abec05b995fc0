// libFuzzer target: the cpio newc reader (shared/cpio_newc.hpp) that the guest kernel runs on the
// initrd and the monitor runs on a given archive. The input is a whole archive.
//
// Checked beyond "no crash, no sanitizer report":
//   * every entry read as Ok has its header, name (with its NUL) and data inside the archive;
//   * the walk always moves forward (a hostile archive cannot make a reader loop);
//   * canonical_name stays inside the name;
//   * validate_initrd (the monitor's check) accepts exactly the archives the walk ends cleanly.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "boot/initrd.hpp"
#include "cpio_newc.hpp"

using namespace lstar;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // A copy exactly `size` long, so that ASan catches a read one byte past the end.
    std::vector<uint8_t> a(data, data + size);
    uint64_t off = 0;
    bool ended = false;
    for (unsigned n = 0; n < 100000; n++) {
        cpio::Entry e;
        const char* why = nullptr;
        auto st = cpio::read_entry(a.data(), a.size(), off, e, &why);
        if (st == cpio::Status::Error) {
            if (!why) std::abort();
            break;
        }
        if (e.header_offset != off || e.header != a.data() + off) std::abort();
        if (st == cpio::Status::End) {
            ended = true;
            break;
        }
        const auto name_at = reinterpret_cast<const uint8_t*>(e.name);
        if (name_at < a.data() || name_at + e.name_len >= a.data() + a.size() || e.name[e.name_len] != '\0') std::abort();
        if (e.data_offset > a.size() || a.size() - e.data_offset < e.filesize) std::abort();
        if (e.next_offset <= off) std::abort();
        for (unsigned f = 0; f < cpio::kFields; f++) (void)cpio::field(e, cpio::Field(f));
        uint32_t len = e.name_len;
        const char* c = cpio::canonical_name(e.name, len);
        if (c < e.name || c + len > e.name + e.name_len) std::abort();
        off = e.next_offset;
    }
    bool valid = true;
    try {
        validate_initrd(a);
    } catch (const InitrdError&) {
        valid = false;
    }
    if (valid && !ended) std::abort();
    return 0;
}
