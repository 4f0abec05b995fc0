// Event records come from the guest: every malformed one is refused with a reason, never trusted.
#include <doctest/doctest.h>

#include <cstring>

#include "event_abi.hpp"
#include "memory/guest_memory.hpp"
#include "run/guest_events.hpp"

using namespace lstar;

static abi::EventHeader header(abi::EventType t, size_t size) {
    return abi::EventHeader{abi::kEventMagic, uint16_t(t), uint16_t(size)};
}

static std::string why(const std::variant<GuestEvent, BadEvent>& r) {
    auto* b = std::get_if<BadEvent>(&r);
    return b ? b->why : "";
}

TEST_CASE("a well-formed syscall_enter record decodes") {
    GuestMemory mem(1 << 20);
    abi::SyscallEnterEvent ev{};
    ev.h = header(abi::EventType::SyscallEnter, sizeof ev);
    ev.nr = 1;
    ev.args[0] = 1;
    ev.via = abi::EntryVia::PfShim;
    mem.write(0x3000, ev);
    auto r = read_guest_event(mem, 0x3000);
    auto* g = std::get_if<GuestEvent>(&r);
    REQUIRE(g);
    auto* se = std::get_if<abi::SyscallEnterEvent>(g);
    REQUIRE(se);
    CHECK(se->nr == 1);
    CHECK(se->via == abi::EntryVia::PfShim);
    CHECK(std::string(event_name(*g)) == "syscall_enter");
}

TEST_CASE("hostile records are refused with a reason") {
    GuestMemory mem(1 << 20);
    const uint64_t top = mem.size();
    CHECK(why(read_guest_event(mem, top)).find("outside guest RAM") != std::string::npos);
    CHECK(why(read_guest_event(mem, ~0ull - 2)).find("outside guest RAM") != std::string::npos);
    CHECK(why(read_guest_event(mem, 0x100)).find("bad magic") != std::string::npos);

    mem.write(0x200, header(abi::EventType::SyscallEnter, 4000));
    CHECK(why(read_guest_event(mem, 0x200)).find("impossible size") != std::string::npos);

    mem.write(top - 8, header(abi::EventType::SyscallEnter, sizeof(abi::SyscallEnterEvent)));
    CHECK(why(read_guest_event(mem, top - 8)).find("runs past guest RAM") != std::string::npos);

    mem.write(0x300, header(abi::EventType::SyscallEnter, sizeof(abi::SyscallExitEvent)));
    CHECK(why(read_guest_event(mem, 0x300)).find("expected") != std::string::npos);

    mem.write(0x400, header(abi::EventType(77), 16));
    CHECK(why(read_guest_event(mem, 0x400)).find("unknown type") != std::string::npos);
}

TEST_CASE("a log record's length is bounded by its buffer") {
    GuestMemory mem(1 << 20);
    abi::LogEvent ev{};
    ev.h = header(abi::EventType::Log, sizeof ev);
    ev.len = abi::kLogMax + 1;
    mem.write(0x1000, ev);
    CHECK(why(read_guest_event(mem, 0x1000)).find("at most") != std::string::npos);
    ev.len = 5;
    std::memcpy(ev.text, "hello", 5);
    mem.write(0x1000, ev);
    auto r = read_guest_event(mem, 0x1000);
    REQUIRE(std::holds_alternative<GuestEvent>(r));
    CHECK(std::get<LogText>(std::get<GuestEvent>(r)).text == "hello");
}

TEST_CASE("a program name without a NUL stops at the end of its field") {
    GuestMemory mem(1 << 20);
    abi::UserEnterEvent ev{};
    ev.h = header(abi::EventType::UserEnter, sizeof ev);
    std::memset(ev.name, 'A', sizeof ev.name);
    mem.write(0x2000, ev);
    mem.write<uint8_t>(0x2000 + sizeof ev, 'B');  // the byte after the field is not part of the name
    auto r = read_guest_event(mem, 0x2000);
    REQUIRE(std::holds_alternative<GuestEvent>(r));
    CHECK(std::get<UserEnter>(std::get<GuestEvent>(r)).name == std::string(abi::kNameMax, 'A'));
}
