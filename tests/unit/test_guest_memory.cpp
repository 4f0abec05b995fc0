#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <system_error>

#include "memory/guest_memory.hpp"

using namespace lstar;

TEST_CASE("guest memory is zero-filled and bounds-checked") {
    GuestMemory mem(1 << 20);
    CHECK(mem.size() == 1 << 20);
    CHECK(mem.read<uint64_t>(0) == 0);
    CHECK(mem.read<uint64_t>((1 << 20) - 8) == 0);

    mem.write<uint32_t>(0x1000, 0xdeadbeef);
    CHECK(mem.read<uint32_t>(0x1000) == 0xdeadbeef);
    CHECK(mem.host_base()[0x1000] == 0xef);

    std::array<uint8_t, 3> bytes{1, 2, 3};
    mem.write_bytes(0xffffd, bytes);
    CHECK(mem.span(0xffffd, 3)[2] == 3);
    mem.write_bytes(1 << 20, {});  // empty write at the end is fine

    CHECK_THROWS_AS(mem.read<uint64_t>((1 << 20) - 4), GuestMemoryError);
    CHECK_THROWS_AS(mem.write<uint8_t>(1 << 20, 0), GuestMemoryError);
    CHECK_THROWS_WITH(mem.span(0xfffff, 2),
                      doctest::Contains("guest-physical range [0xfffff, +0x2) is outside guest RAM (0x100000 bytes)"));
}

TEST_CASE("contains is overflow-safe") {
    GuestMemory mem(0x10000);
    CHECK(mem.contains(0, 0x10000));
    CHECK(mem.contains(0x10000, 0));
    CHECK_FALSE(mem.contains(0x10001, 0));
    CHECK_FALSE(mem.contains(0, 0x10001));
    CHECK_FALSE(mem.contains(0x8000, UINT64_MAX));                // gpa + len wraps
    CHECK_FALSE(mem.contains(UINT64_MAX - 1, 4));                 // wraps to a small number
    CHECK_FALSE(mem.contains(0xfff0, UINT64_MAX - 0xffef + 1));   // sum wraps to exactly 0
    CHECK_THROWS_AS(mem.span(UINT64_MAX, 2), GuestMemoryError);
}

TEST_CASE("guest memory moves") {
    GuestMemory a(0x2000);
    a.write<uint8_t>(5, 7);
    uint8_t* base = a.host_base();
    GuestMemory b(std::move(a));
    CHECK(b.host_base() == base);
    CHECK(b.read<uint8_t>(5) == 7);
    CHECK(a.size() == 0);
    CHECK_THROWS_AS(a.read<uint8_t>(0), GuestMemoryError);
    GuestMemory c(0x1000);
    c = std::move(b);
    CHECK(c.size() == 0x2000);
    CHECK(c.read<uint8_t>(5) == 7);
}

TEST_CASE("an impossible size throws std::system_error") {
    CHECK_THROWS_AS(GuestMemory(1ull << 62), std::system_error);
}
