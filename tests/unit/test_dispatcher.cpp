// The dispatcher is a pure function of a typed exit: feed it made-up exits, no /dev/kvm.
#include <doctest/doctest.h>

#include <csignal>

#include "event_abi.hpp"
#include "run/dispatcher.hpp"
#include "common/exit_status.hpp"

using namespace lstar;

static VmExit io_out(uint16_t port, uint8_t size, uint64_t value, const uint8_t* data = nullptr) {
    exits::Io io{};
    io.port = port;
    io.size = size;
    io.in = false;
    io.count = 1;
    io.value = value;
    if (data) io.data = {data, size};
    return VmExit{io, {}};
}

TEST_CASE("OUT to the console port: the byte goes to stdout") {
    uint8_t b = 'x';
    auto d = dispatch(io_out(abi::kPortConsole, 1, 'x', &b));
    auto* c = std::get_if<actions::ConsoleOut>(&d.action);
    REQUIRE(c);
    CHECK(c->bytes.size() == 1);
    CHECK(c->bytes[0] == 'x');
    CHECK(d.note.empty());
}

TEST_CASE("OUT to the event port: read the record at that guest-physical address") {
    auto d = dispatch(io_out(abi::kPortEvent, 4, 0x1234));
    auto* g = std::get_if<actions::ReadEvent>(&d.action);
    REQUIRE(g);
    CHECK(g->gpa == 0x1234);
}

TEST_CASE("OUT to the exit port ends the run with the guest's status (low 8 bits)") {
    auto d = dispatch(io_out(abi::kPortExit, 4, 0x107));
    auto* s = std::get_if<actions::Stop>(&d.action);
    REQUIRE(s);
    CHECK(s->reason == StopReason::GuestExit);
    CHECK(s->status == 7);
}

TEST_CASE("the event port with the wrong width is not an event") {
    auto e = io_out(abi::kPortEvent, 1, 0x12);
    auto d = dispatch(e);
    CHECK(std::holds_alternative<actions::Continue>(d.action));
    CHECK(note_text(e, d).find("unhandled OUT") != std::string::npos);
}

TEST_CASE("the null port is ignored without a note (the bench's exit round trip)") {
    auto d = dispatch(io_out(abi::kPortNull, 1, 0));
    CHECK(std::holds_alternative<actions::Continue>(d.action));
    CHECK(d.note.empty());
}

TEST_CASE("unknown ports: OUT is logged and ignored, IN reads all ones") {
    auto out = io_out(0x61, 1, 0);
    auto d = dispatch(out);
    CHECK(std::holds_alternative<actions::Continue>(d.action));
    CHECK(d.unhandled_access);
    CHECK(note_text(out, d) == "unhandled OUT to port 0x61 (size 1) ignored");
    exits::Io in{};
    in.port = 0x60;
    in.size = 2;
    in.in = true;
    in.count = 1;
    auto r = dispatch(VmExit{in, {}});
    auto* c = std::get_if<actions::CompleteRead>(&r.action);
    REQUIRE(c);
    CHECK(c->value == 0xffff);
    CHECK(note_text(VmExit{in, {}}, r) == "unhandled IN from port 0x60 reads all ones");
}

TEST_CASE("MMIO without a device: reads all ones, writes ignored, both noted") {
    auto r = dispatch(VmExit{exits::Mmio{0xfee00000, 4, false, 0}, {}});
    auto* c = std::get_if<actions::CompleteRead>(&r.action);
    REQUIRE(c);
    CHECK(c->value == 0xffffffff);
    CHECK(r.note.empty());  // built only when shown
    CHECK(note_text(VmExit{exits::Mmio{0xfee00000, 4, false, 0}, {}}, r) ==
          "MMIO read from 0xfee00000 (no RAM or device there) reads all ones");
    VmExit write{exits::Mmio{0xfee00000, 4, true, 1}, {}};
    auto w = dispatch(write);
    CHECK(std::holds_alternative<actions::Continue>(w.action));
    CHECK(note_text(write, w) == "MMIO write to 0xfee00000 (no RAM or device there) ignored");
}

TEST_CASE("each way a run can fail has its own stop reason and status") {
    struct Case {
        ExitKind kind;
        StopReason reason;
        int status;
    };
    exits::InternalError emu{KVM_INTERNAL_ERROR_EMULATION, 0, {}};
    Case cases[] = {
        {exits::Hlt{}, StopReason::Halted, status::kGuestHalted},
        {exits::Shutdown{}, StopReason::TripleFault, status::kTripleFault},
        {emu, StopReason::EmulationFailure, status::kEmulationFailure},
        {exits::Interrupted{SIGALRM}, StopReason::Timeout, status::kTimeout},
        {exits::Interrupted{SIGINT}, StopReason::Interrupted, status::kSigint},
        {exits::Interrupted{SIGTERM}, StopReason::Interrupted, status::kSigterm},
        {exits::FailEntry{0x21}, StopReason::UnexpectedExit, status::kUnexpectedExit},
        {exits::Debug{1, 0, 0, 0}, StopReason::UnexpectedExit, status::kUnexpectedExit},
        {exits::Unknown{999}, StopReason::UnexpectedExit, status::kUnexpectedExit},
    };
    for (auto& c : cases) {
        auto d = dispatch(VmExit{c.kind, {}});
        auto* s = std::get_if<actions::Stop>(&d.action);
        REQUIRE(s);
        CHECK(s->reason == c.reason);
        CHECK(s->status == c.status);
        CHECK(!d.note.empty());
    }
}

TEST_CASE("a signal that is none of ours (EINTR) resumes the guest") {
    auto d = dispatch(VmExit{exits::Interrupted{0}, {}});
    CHECK(std::holds_alternative<actions::Continue>(d.action));
}

TEST_CASE("HLT notes whether interrupts were enabled") {
    VmExit e{exits::Hlt{}, {}};
    e.cpu.regs.rflags = 0x202;
    CHECK(dispatch(e).note.find("interrupts enabled") != std::string::npos);
    e.cpu.regs.rflags = 0x2;
    CHECK(dispatch(e).note.find("interrupts disabled") != std::string::npos);
}

TEST_CASE("exit names are the exit log's reason strings") {
    CHECK(exit_name(exits::Io{}) == "io");
    CHECK(exit_name(exits::Shutdown{}) == "shutdown");
    CHECK(exit_name(exits::InternalError{}) == "internal_error");
    CHECK(std::string(stop_reason_name(StopReason::TripleFault)) == "triple_fault");
}
