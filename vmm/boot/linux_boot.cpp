#include "boot/linux_boot.hpp"

#include <algorithm>
#include <cstring>
#include <system_error>

#include "boot/foreign_boot.hpp"
#include "boot/initrd.hpp"
#include "common/hex.hpp"
#include "linux_boot_params.hpp"

namespace lstar {

using namespace linux_boot;
using namespace linuxboot;

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t k2M = 2ull << 20;
constexpr uint64_t kPdptPhys = kPml4Phys + kPage;
constexpr uint64_t kPdPhys = kPdptPhys + kPage;  // four PDs: 0-4 GiB with 2 MiB pages
constexpr uint64_t kPresentRw = 0x3, kPageSize = 0x80;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

template <class T>
void put(std::vector<uint8_t>& bp, uint32_t off, T v) {
    std::memcpy(bp.data() + off, &v, sizeof v);
}

// Where the decompressor works: from the aligned load address (at least pref_address) up.
uint64_t decompress_end(const BzImage& b) {
    uint64_t start = b.relocatable ? std::max<uint64_t>(align_up(kLoadPhys, b.kernel_alignment), b.pref_address) : b.pref_address;
    return start + b.init_size;
}

void write_identity_map(GuestMemory& mem) {
    mem.write<uint64_t>(kPml4Phys, kPdptPhys | kPresentRw);
    for (uint64_t i = 0; i < 4; ++i) {
        mem.write<uint64_t>(kPdptPhys + i * 8, (kPdPhys + i * kPage) | kPresentRw);
        for (uint64_t j = 0; j < 512; ++j)
            mem.write<uint64_t>(kPdPhys + i * kPage + j * 8, ((i * 512 + j) * k2M) | kPresentRw | kPageSize);
    }
}

}  // namespace

std::vector<uint8_t> load_linux_initrd(const std::string& path) {
    std::vector<uint8_t> head;
    try {
        head = read_file(path);
    } catch (const std::system_error&) {
        return load_initrd(path);  // a directory, or a file that is not there: load_initrd says which
    }
    if (head.size() >= 2 && head[0] == 0x1f && head[1] == 0x8b) return head;
    return load_initrd(path);
}

uint64_t linux_min_ram(const BzImage& b) { return align_up(decompress_end(b), 1ull << 20); }

uint64_t place_linux_initrd(const BzImage& b, uint64_t ram, uint64_t size) {
    uint64_t top = std::min<uint64_t>(ram, uint64_t(b.initrd_addr_max) + 1);
    uint64_t low = decompress_end(b);
    if (size > top || ((top - size) & ~(kPage - 1)) < low)
        throw UsageError("the initrd (" + std::to_string(size) + " bytes) does not fit between the kernel's decompression room (up to " +
                         hex(low) + ") and " + hex(top) + ": raise -m");
    return (top - size) & ~(kPage - 1);
}

void setup_linux(kvm::Vcpu& vcpu, GuestMemory& mem, const KernelImage& image, const BootOptions& opts, BootState& state) {
    const BzImage b = parse_bzimage(image.file);
    // Everything checked before guest memory is touched.
    if (mem.size() > bootdata::kForeignRamMax) plan_boot_data(mem.size(), 0, "", {});  // refuses with the reason
    if (mem.size() < linux_min_ram(b))
        throw UsageError(image.name + " decompresses into [" + hex(kLoadPhys) + ", " + hex(decompress_end(b)) + "): it needs -m " +
                         std::to_string(linux_min_ram(b) >> 20) + " or more (and room for its initrd and its own use)");
    if (opts.cmdline.size() > b.cmdline_size)
        throw UsageError("the command line is " + std::to_string(opts.cmdline.size()) + " bytes; this kernel takes at most " +
                         std::to_string(b.cmdline_size));
    const uint64_t load = b.relocatable ? kLoadPhys : b.code32_start;
    if (!mem.contains(load, b.payload_size)) throw UsageError("the kernel does not fit in guest RAM: raise -m");
    uint64_t initrd_phys = 0, initrd_size = opts.initrd ? opts.initrd->size() : 0;
    if (initrd_size) initrd_phys = place_linux_initrd(b, mem.size(), initrd_size);

    mem.write_bytes(load, std::span(image.file).subspan(b.setup_bytes));
    if (initrd_size) mem.write_bytes(initrd_phys, *opts.initrd);
    mem.write_bytes(kCmdlinePhys, {reinterpret_cast<const uint8_t*>(opts.cmdline.c_str()), opts.cmdline.size() + 1});

    // The zero page: the image's own setup header, then what a loader fills in.
    std::vector<uint8_t> bp(kBootParamsSize, 0);
    std::memcpy(bp.data() + kSetupHeaderOffset, image.file.data() + kSetupHeaderOffset, b.header_end - kSetupHeaderOffset);
    bp[kTypeOfLoader] = kLoaderUndefined;
    bp[kLoadFlags] = uint8_t(b.loadflags | kCanUseHeap);
    put<uint16_t>(bp, kHeapEndPtr, 0xfe00);
    put<uint16_t>(bp, kVidMode, 0xffff);  // "normal"
    put<uint32_t>(bp, kCode32Start, uint32_t(load));
    put<uint32_t>(bp, kCmdLinePtr, uint32_t(kCmdlinePhys));
    put<uint32_t>(bp, kRamdiskImage, uint32_t(initrd_phys));
    put<uint32_t>(bp, kRamdiskSize, uint32_t(initrd_size));
    put<uint32_t>(bp, kHardwareSubarch, 0);
    const std::vector<pvh::MemmapEntry> e820 = {
        {0, bootdata::kEbdaStart, pvh::kMemmapRam, 0},
        {bootdata::kEbdaStart, bootdata::kHighRamStart - bootdata::kEbdaStart, pvh::kMemmapReserved, 0},
        {bootdata::kHighRamStart, mem.size() - bootdata::kHighRamStart, pvh::kMemmapRam, 0}};
    bp[kE820Entries] = uint8_t(e820.size());
    for (size_t i = 0; i < e820.size(); ++i) {
        put<uint64_t>(bp, uint32_t(kE820Table + i * 20), e820[i].addr);
        put<uint64_t>(bp, uint32_t(kE820Table + i * 20 + 8), e820[i].size);
        put<uint32_t>(bp, uint32_t(kE820Table + i * 20 + 16), e820[i].type);
    }
    mem.write_bytes(kBootParamsPhys, bp);
    write_identity_map(mem);

    state.kernel = {load + kEntry64Offset, load, load + b.payload_size};
    state.memmap = e820;
    if (initrd_size) state.modules.emplace_back(initrd_phys, initrd_size);
    state.initrd_phys = initrd_phys, state.initrd_size = initrd_size;
    state.start_info_phys = kBootParamsPhys;
    state.entry_rip = load + kEntry64Offset;
    enter_long_mode_identity(vcpu, mem, state, state.entry_rip, kBootParamsPhys, kPml4Phys);
}

}  // namespace lstar
