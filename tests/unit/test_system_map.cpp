// --symbols FILE (loader/system_map.hpp): System.map and /proc/kallsyms text, Debian's stub refused.
#include <doctest/doctest.h>

#include <string>
#include <utility>

#include "common/error.hpp"
#include "loader/symbols.hpp"
#include "loader/system_map.hpp"

using namespace lstar;

TEST_CASE("System.map and kallsyms text: kernel symbols kept, module lines skipped, stubs and garbage refused") {
    auto syms = parse_system_map("ffffffff81c00080 T entry_SYSCALL_64\nffffffff8104a330 t syscall_init\n"
                                 "ffffffffc0001000 t mod_fn\t[mod]\nffffffff82000000 D some_data\n",
                                 "map");
    REQUIRE(syms.size() == 3);
    SymbolTable t(slide_symbols(syms, 0x3a000000));
    CHECK(t.address_of("entry_SYSCALL_64") == 0xffffffffbbc00080ull);
    CHECK(t.describe(0xffffffffbb04a338ull) == "syscall_init+0x8");
    CHECK(!t.address_of("mod_fn"));
    try {
        parse_system_map("ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n", "stub");
        FAIL("the stub was accepted");
    } catch (const BadImage& e) {
        CHECK(std::string(e.what()).find("is a stub") != std::string::npos);
        CHECK(std::string(e.what()).find("1 placeholders") != std::string::npos);
    }
    CHECK_THROWS_AS(parse_system_map("0000000000000000 T entry_SYSCALL_64\n", "kallsyms as a user"), BadImage);
    CHECK_THROWS_WITH_AS(parse_system_map("ffffffff81000000 T a\nnot a map\n", "garbage"),
                         doctest::Contains("garbage line 2 is not \"ADDRESS TYPE NAME\" (System.map or /proc/kallsyms): not a map"),
                         BadImage);
    // scripts/linux-kallsyms's note when the build has no kernel to read: the line is the reason.
    CHECK_THROWS_WITH_AS(parse_system_map("# no /boot/vmlinuz-*\n", "note"), doctest::Contains("# no /boot/vmlinuz-*"), BadImage);
    // Blank lines and CRLF line ends (a file from another machine) are read.
    CHECK(parse_system_map("\r\nffffffff81000000 T startup_64\r\n\n", "crlf").front().name == "startup_64");
}

// The first lines of both files on x86-64: per-CPU offsets from GS base, not addresses. Named, the
// last would claim every number up to the kernel's text (a user RIP shown as "__per_cpu_end+0x3cb000").
TEST_CASE("System.map and kallsyms: x86-64's per-CPU offsets and absolute symbols are not addresses") {
    const std::string kallsyms =  // /proc/kallsyms of Debian's 6.1 (scripts/linux-kallsyms)
        "0000000000000000 A fixed_percpu_data\n0000000000000000 A __per_cpu_start\n0000000000001000 A cpu_debug_store\n"
        "0000000000035000 A __per_cpu_end\nffffffff81000000 T startup_64\nffffffff81c00080 T entry_SYSCALL_64\n"
        "ffffffff8241cb60 D __per_cpu_offset\n";
    const std::string system_map =  // nm's types: D/d like data, A for link-time constants
        "0000000000000000 D __per_cpu_start\n0000000000000000 D fixed_percpu_data\n00000000000001e0 A kexec_control_code_size\n"
        "0000000000001000 D cpu_debug_store\n000000000000c000 d exception_stacks\n0000000000035000 D __per_cpu_end\n"
        "ffffffff81000000 T startup_64\nffffffff81c00080 T entry_SYSCALL_64\nffffffff8241cb60 D __per_cpu_offset\n";
    for (const auto& [text, name] : {std::pair{kallsyms, std::string("kallsyms")}, std::pair{system_map, std::string("System.map")}}) {
        INFO(name);
        SymbolTable t(parse_system_map(text, name));
        CHECK(!t.address_of("cpu_debug_store"));
        CHECK(!t.address_of("__per_cpu_end"));
        CHECK(!t.address_of("kexec_control_code_size"));
        CHECK(t.describe(0x401000) == "");
        CHECK(t.describe(0x1008) == "");
        CHECK(t.address_of("entry_SYSCALL_64") == 0xffffffff81c00080ull);
        CHECK(t.describe(0xffffffff8241cb68ull) == "__per_cpu_offset+0x8");
    }
    // A 32-bit kernel links its per-CPU data in place: those are addresses, kept.
    auto i386 = parse_system_map("c0431100 A __per_cpu_start\nc0433800 D per_cpu__cpu_gdt_descr\nc0434000 A __per_cpu_end\n", "i386");
    REQUIRE(i386.size() == 1);
    CHECK(i386[0].name == "per_cpu__cpu_gdt_descr");
}
