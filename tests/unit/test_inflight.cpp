// Matching a foreign kernel's syscall returns to their entries (trace/inflight.hpp): by address
// space and user RSP, then address space, then an execve in flight.
#include <doctest/doctest.h>

#include "syscall_nr.hpp"
#include "trace/inflight.hpp"

using namespace lstar;
using namespace lstar::trace;

namespace {
InFlight call(uint64_t nr, uint64_t cr3, uint64_t rsp) {
    InFlight c;
    c.call.nr = nr;
    c.cr3 = cr3, c.rsp = rsp;
    return c;
}
}  // namespace

TEST_CASE("address_space: CR3 without PCID, PTI's user bit and NOFLUSH") {
    CHECK(address_space(0x3a6e000) == 0x3a6e000);
    CHECK(address_space(0x3a6f801) == 0x3a6e000);                  // PTI user half, user PCID 0x801
    CHECK(address_space(0x8000000003a6e001ull) == 0x3a6e000);      // NOFLUSH, PCID 1
    CHECK(address_space(0x3a70000) != address_space(0x3a6e000));
}

namespace {
InFlightCalls::Return ret(uint64_t cr3, uint64_t rip, uint64_t rsp, std::optional<uint64_t> frame_ip = std::nullopt) {
    return {cr3, rip, rsp, frame_ip};
}
}  // namespace

TEST_CASE("in-flight syscalls: a return finds its task's call even when others returned in between") {
    InFlightCalls f;
    // init (CR3 A) waits in wait4 while its child (CR3 B) runs read, then exits.
    auto w = call(61, 0xa000, 0x7ffd0000);
    w.rcx = 0x460a63;
    CHECK_FALSE(f.enter(w));
    auto rd = call(0, 0xb000, 0x7ffc0000);
    rd.rcx = 0x401000;
    CHECK_FALSE(f.enter(rd));
    // An interrupt's iretq to B's user code, elsewhere: nobody's.
    CHECK_FALSE(f.leave(ret(0xb000, 0x401234, 0x7ffc0000)));
    auto m = f.leave(ret(0xb000, 0x401000, 0x7ffc0000));
    REQUIRE(m);
    CHECK(m->call.call.nr == 0);
    CHECK_FALSE(m->to_handler);
    // With PTI the return's CR3 is the user half (bit 12) and a PCID: still task A's.
    m = f.leave(ret(0xb801 | 0xa000, 0x460a63, 0x7ffd0000));
    REQUIRE(m);
    CHECK(m->call.call.nr == 61);
    CHECK(f.empty());
}

TEST_CASE("in-flight syscalls: into a signal handler, rt_sigreturn, execve, and a fork child's return") {
    InFlightCalls f;
    auto w = call(61, 0xa000, 0x7ffd0000);
    w.rcx = 0x460a63;
    f.enter(w);
    // wait4 returns into the SIGCHLD handler: RIP and RSP are the handler's, the frame saved RCX.
    CHECK_FALSE(f.leave(ret(0xa000, 0x525892, 0x7ffcf000, 0x1234)));
    auto m = f.leave(ret(0xa000, 0x525892, 0x7ffcf000, 0x460a63));
    REQUIRE(m);
    CHECK(m->to_handler);
    CHECK(m->call.call.nr == 61);

    f.enter(call(nr::kRtSigreturn, 0xa000, 0x7ffcf100));  // returns where its frame says
    m = f.leave(ret(0xa000, 0x460a63, 0x7ffd0000));
    REQUIRE(m);
    CHECK(m->call.call.nr == nr::kRtSigreturn);

    auto c = call(nr::kClone, 0xa000, 0x7ffd0000);
    c.rcx = 0x4610d3;
    f.enter(c);
    // The child returns 0 in its own new address space, to the same RIP and RSP: not the clone.
    CHECK_FALSE(f.leave(ret(0xc000, 0x4610d3, 0x7ffd0000)));
    CHECK(f.leave(ret(0xa000, 0x4610d3, 0x7ffd0000))->call.call.nr == nr::kClone);

    f.enter(call(nr::kExecve, 0xa000, 0x7ffd0000));
    m = f.leave(ret(0xd000, 0x401bc0, 0x7fff0000));  // the new program's CR3, entry point and stack
    REQUIRE(m);
    CHECK(m->call.call.nr == nr::kExecve);
}

TEST_CASE("in-flight syscalls: a missed return is displaced by the task's next call; a flood is bounded") {
    InFlightCalls f;
    f.enter(call(231, 0xa000, 0x7ffd0000));
    auto d = f.enter(call(39, 0xa000, 0x7ffd0000));
    REQUIRE(d);
    CHECK(d->call.nr == 231);
    CHECK(f.size() == 1);
    for (uint64_t i = 0; i < InFlightCalls::kMax + 10; ++i) f.enter(call(0, 0x100000 + (i << 13), 0x7ff00000));
    CHECK(f.size() == InFlightCalls::kMax);
    auto all = f.drain();
    CHECK(all.size() == InFlightCalls::kMax);
    CHECK(f.empty());
}
