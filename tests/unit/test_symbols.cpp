#include <doctest/doctest.h>

#include <elf.h>

#include "loader/symbols.hpp"

using namespace lstar;

namespace {

SymbolTable kernel_symbols() {
    return SymbolTable({
        {"entry_SYSCALL_64", 0xffffffff81000000, 0x80, STT_FUNC},
        {"entry_SYSCALL_64_after_hwframe", 0xffffffff81000020, 0, STT_NOTYPE},  // a label inside it
        {"do_syscall_64", 0xffffffff81000100, 0x40, STT_FUNC},
        {"cpu_tss", 0xffffffff81200000, 0x68, STT_OBJECT},
        {"cpu_tss_alias", 0xffffffff81200000, 0, STT_NOTYPE},
        {"_end", 0xffffffff81300000, 0, STT_NOTYPE},
        {"main.c", 0, 0, STT_FILE},                      // dropped: not an address
        {".text", 0xffffffff81000000, 0, STT_SECTION},   // dropped
        {"", 0xffffffff81000010, 0, STT_FUNC},           // dropped: no name
    });
}

}  // namespace

TEST_CASE("describe: exact hits and offsets") {
    auto t = kernel_symbols();
    CHECK_FALSE(t.empty());
    CHECK(t.describe(0xffffffff81000000) == "entry_SYSCALL_64");
    CHECK(t.describe(0xffffffff8100001c) == "entry_SYSCALL_64+0x1c");
    // The nearest symbol wins, as in kallsyms: a label inside a function.
    CHECK(t.describe(0xffffffff81000024) == "entry_SYSCALL_64_after_hwframe+0x4");
    CHECK(t.describe(0xffffffff81000100) == "do_syscall_64");
    CHECK(t.describe(0xffffffff8100013f) == "do_syscall_64+0x3f");
}

TEST_CASE("lookup: sized symbols end, unsized ones reach the next symbol") {
    auto t = kernel_symbols();
    // A sized symbol does not cover the gap after it.
    CHECK(t.describe(0xffffffff81000140) == "");
    CHECK_FALSE(t.lookup(0xffffffff810001ff));
    // Below every symbol.
    CHECK(t.describe(0x400000) == "");
    // Two symbols at one address: the sized one while inside its size, then the label.
    auto hit = t.lookup(0xffffffff81200010);
    REQUIRE(hit);
    CHECK(hit->symbol->name == "cpu_tss");
    CHECK(hit->offset == 0x10);
    CHECK(t.describe(0xffffffff81200070) == "cpu_tss_alias+0x70");
    CHECK(t.describe(0xffffffff81300008) == "_end+0x8");
}

TEST_CASE("address_of and the empty table") {
    auto t = kernel_symbols();
    CHECK(t.address_of("do_syscall_64") == 0xffffffff81000100);
    CHECK_FALSE(t.address_of("main.c"));
    CHECK_FALSE(t.address_of("nonexistent"));
    SymbolTable empty;
    CHECK(empty.empty());
    CHECK(empty.describe(0xffffffff81000000) == "");
    CHECK_FALSE(empty.lookup(0));
}

TEST_CASE("C++ names are demangled for traces, without their parameter lists") {
    CHECK(lstar::display_name("_ZN5lstar6kernel10event_sendEv") == "lstar::kernel::event_send");
    CHECK(lstar::display_name("entry_SYSCALL_64") == "entry_SYSCALL_64");
    CHECK(lstar::display_name("_Znot_a_valid_mangling") == "_Znot_a_valid_mangling");
}
