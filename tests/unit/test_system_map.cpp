// --symbols FILE (loader/system_map.hpp): System.map and /proc/kallsyms text, Debian's stub refused.
#include <doctest/doctest.h>

#include <string>

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
    CHECK_THROWS_AS(parse_system_map("not a map\n", "garbage"), BadImage);
}
