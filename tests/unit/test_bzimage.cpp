// The Linux bzImage setup header (boot/bzimage.hpp) and the initrd placement of the Linux boot
// (boot/linux_boot.hpp): crafted images, each refused with its reason; pure, no /dev/kvm.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "boot/bzimage.hpp"
#include "boot/foreign_boot.hpp"
#include "boot/image_kind.hpp"
#include "boot/linux_boot.hpp"
#include "common/error.hpp"
#include "linux_boot_params.hpp"

using namespace lstar;
using namespace lstar::linux_boot;

namespace {

template <class T>
void put(std::vector<uint8_t>& f, uint32_t off, T v) {
    std::memcpy(f.data() + off, &v, sizeof v);
}

// A well-formed 6.1-like header: 4 setup sectors, 64 KiB of "protected-mode code".
std::vector<uint8_t> good_bzimage() {
    std::vector<uint8_t> f(5 * 512 + 0x10000, 0);
    f[kSetupSects] = 4;
    put<uint32_t>(f, kSysSize, 0x10000 / 16);
    put<uint16_t>(f, kBootFlag, kBootFlagMagic);
    f[kJump] = 0xeb;
    f[kJump + 1] = 0x6a;  // the header ends at 0x26c
    put<uint32_t>(f, kHeader, kHeaderMagic);
    put<uint16_t>(f, kVersion, 0x020f);
    f[kLoadFlags] = kLoadedHigh;
    put<uint32_t>(f, kCode32Start, 0x100000);
    put<uint32_t>(f, kInitrdAddrMax, 0x7fffffff);
    put<uint32_t>(f, kKernelAlignment, 0x200000);
    f[kRelocatableKernel] = 1;
    put<uint16_t>(f, kXLoadFlags, kXlfKernel64 | kXlfCanBeLoadedAbove4G);
    put<uint32_t>(f, kCmdlineSize, 2047);
    put<uint64_t>(f, kPrefAddress, 0x1000000);
    put<uint32_t>(f, kInitSize, 0x400000);
    return f;
}

std::string refusal(const std::vector<uint8_t>& f) {
    try {
        parse_bzimage(f);
    } catch (const BadImage& e) {
        return e.what();
    }
    return "";
}

bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a bzImage's setup header: read, and each unbootable field refused with its reason") {
    auto f = good_bzimage();
    REQUIRE(looks_like_bzimage(f));
    auto b = parse_bzimage(f);
    CHECK(b.version == 0x020f);
    CHECK(b.setup_bytes == 5 * 512);
    CHECK(b.payload_size == 0x10000);
    CHECK(b.header_end == 0x26c);
    CHECK(b.relocatable);
    CHECK(describe_bzimage(b).find("boot protocol 2.15") != std::string::npos);

    auto bad = good_bzimage();
    put<uint16_t>(bad, kVersion, 0x020b);
    CHECK(has(refusal(bad), "boot protocol 2.11; lstar needs 2.12 or later"));
    bad = good_bzimage();
    bad[kLoadFlags] = 0;
    CHECK(has(refusal(bad), "a zImage"));
    bad = good_bzimage();
    put<uint16_t>(bad, kXLoadFlags, 0);
    CHECK(has(refusal(bad), "no 64-bit entry"));
    bad = good_bzimage();
    put<uint32_t>(bad, kSysSize, 0x20000 / 16);
    CHECK(has(refusal(bad), "truncated: syssize"));
    bad = good_bzimage();
    bad.resize(5 * 512);
    CHECK(has(refusal(bad), "truncated: 4 setup sectors"));
    bad = good_bzimage();
    put<uint32_t>(bad, kKernelAlignment, 0x300000);
    CHECK(has(refusal(bad), "not a power of two"));
    bad = good_bzimage();
    put<uint32_t>(bad, kInitSize, 0x100);
    CHECK(has(refusal(bad), "init_size 0x100 is smaller than the code"));
    bad = good_bzimage();
    bad[kJump + 1] = 0x10;
    CHECK(has(refusal(bad), "before init_size"));
    bad = good_bzimage();
    bad[kRelocatableKernel] = 0;
    CHECK(has(refusal(bad), "not relocatable, and code32_start 0x100000 is not pref_address 0x1000000"));
    bad = good_bzimage();
    put<uint32_t>(bad, kHeader, 0);
    CHECK(!looks_like_bzimage(bad));
    CHECK(has(refusal(bad), "no setup header"));
    CHECK(!looks_like_bzimage(std::vector<uint8_t>(16, 0)));
}

TEST_CASE("a bzImage boots as Linux, and only as Linux") {
    auto facts = inspect_image(good_bzimage());
    CHECK(facts.bzimage);
    CHECK(choose_protocol(facts, BootRequest::Auto, false) == Protocol::Linux);
    CHECK(choose_protocol(facts, BootRequest::Linux, false) == Protocol::Linux);
    CHECK_THROWS_AS(choose_protocol(facts, BootRequest::Pvh, false), BadImage);
    CHECK_THROWS_AS(choose_protocol(facts, BootRequest::Auto, true), BadImage);
    CHECK(std::string(protocol_name(Protocol::Linux)) == "linux");
    CHECK(is_foreign(Protocol::Linux));
    auto old = good_bzimage();
    put<uint16_t>(old, kVersion, 0x0200);
    auto old_facts = inspect_image(old);
    try {
        choose_protocol(old_facts, BootRequest::Auto, false);
        FAIL("an old bzImage was accepted");
    } catch (const BadImage& e) {
        CHECK(has(e.what(), "boot protocol 2.0"));
    }
    // --boot linux on something that is no bzImage.
    CHECK_THROWS_AS(choose_protocol(inspect_image(std::vector<uint8_t>(4096, 0)), BootRequest::Linux, false), BadImage);
}

TEST_CASE("the Linux initrd goes page-aligned at the top of RAM, above the kernel's decompression room") {
    auto b = parse_bzimage(good_bzimage());
    // pref_address 16 MiB + init_size 4 MiB: the decompressor works up to 20 MiB.
    CHECK(linux_min_ram(b) == 0x1400000);
    CHECK(place_linux_initrd(b, 64 << 20, 0x1800) == (64 << 20) - 0x2000);
    CHECK_THROWS_AS(place_linux_initrd(b, 24 << 20, 8 << 20), UsageError);
    b.initrd_addr_max = 0x1ffffff;  // 32 MiB - 1
    CHECK(place_linux_initrd(b, 64 << 20, 0x1000) == 0x2000000 - 0x1000);
}

TEST_CASE("a vmlinux through PVH: the note's physical entry checked against the segment that holds it") {
    ElfImage e;
    e.entry = 0x1000000;  // Linux's vmlinux: e_entry is physical
    e.segments = {{0x200000, 0xffffffff81000000ull, 0x1000000, 0x1000, 0x2000, 0x200000, 5}};
    auto v = pvh_load_view(e, 0x1000000 + 0x1c0);
    CHECK(v.entry == 0xffffffff810001c0ull);
    CHECK(v.segments.size() == 1);
    CHECK(pvh_load_view(e, 0x5000000).entry == 0x1000000);  // no segment holds it: e_entry, refused later
}
