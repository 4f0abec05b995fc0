// libFuzzer target: image-kind detection (vmm/boot/image_kind.cpp). The input is a whole image
// file: the multiboot header scan, the plan for its address fields, ELF32/ELF64 parsing with the
// PVH and lstar notes, Linux's bzImage setup header, and the protocol choice for every --boot request.
//
// Checked beyond "no crash, no sanitizer report":
//   * a found multiboot header is 4-byte aligned, inside the first 8 KiB and checksums to zero;
//   * a planned address-field load copies only bytes of the file, and its entry is in the copy;
//   * choose_protocol either refuses with std::invalid_argument or names a protocol the image has.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <stdexcept>

#include "boot/image_kind.hpp"

using namespace lstar;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::span<const uint8_t> file(data, size);
    ImageFacts f = inspect_image(file);
    if (f.multiboot) {
        const auto& m = *f.multiboot;
        if (m.offset % 4 || m.offset + 12 > multiboot::kSearchBytes || m.offset + 12 > size) abort();
        if (uint32_t(m.header.magic + m.header.flags + m.header.checksum) != 0) abort();
        (void)multiboot_flags_unsupported(m.header.flags);
        if (m.aout_kludge()) {
            try {
                RawLoad r = plan_aout_load(m, size);
                if (r.file_offset > size || r.filesz > size - r.file_offset) abort();
                if (r.memsz < r.filesz) abort();
                if (r.entry < r.phys || r.entry - r.phys >= r.filesz) abort();
            } catch (const BadImage&) {
            }
        }
    }
    if (f.linux) {  // a parsed bzImage header only describes bytes of the file
        const auto& b = *f.linux;
        if (b.setup_bytes >= size || b.payload_size != size - b.setup_bytes || b.header_end > b.setup_bytes) abort();
        if (b.init_size < b.payload_size || !b.kernel_alignment || (b.kernel_alignment & (b.kernel_alignment - 1))) abort();
    }
    for (auto req : {BootRequest::Auto, BootRequest::Lstar, BootRequest::Pvh, BootRequest::Multiboot, BootRequest::Linux}) {
        for (bool msr_guest : {false, true}) {
            try {
                Protocol p = choose_protocol(f, req, msr_guest);
                if ((p == Protocol::Pvh || p == Protocol::LstarPvh) && !f.pvh_entry) abort();
                if (p == Protocol::Multiboot && !f.multiboot) abort();
                if (p == Protocol::Lstar64 && !f.lstar) abort();
                if (p == Protocol::Linux && !f.linux) abort();
                (void)describe_image(f, p);
            } catch (const BadImage&) {
            }
        }
    }
    return 0;
}
