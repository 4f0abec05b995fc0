// The registers a report of the run's end shows: KVM's own at the end, or, when KVM reset the vCPU
// on SHUTDOWN (kvm_amd), the last ones lstar saw, labelled. Made-up exits, no /dev/kvm.
#include <doctest/doctest.h>

#include "run/last_seen.hpp"

using namespace lstar;

namespace {

CpuState long_mode(uint64_t rip, uint16_t cs = 0x10) {
    CpuState c{};
    c.regs.rip = rip;
    c.regs.rsp = 0xffffc90000004f00;
    c.sregs.cs.selector = cs;
    c.sregs.cr0 = 0x80050033;
    c.sregs.cr3 = 0x1000;
    return c;
}

// What kvm_amd hands back with KVM_EXIT_SHUTDOWN: the vCPU after INIT.
CpuState reset_state() {
    CpuState c{};
    c.regs.rip = 0xfff0;
    c.regs.rdx = 0x830f10;
    c.sregs.cs.selector = 0xf000;
    c.sregs.cs.base = 0xffff0000;
    c.sregs.cr0 = 0x10;
    return c;
}

VmExit io_exit(uint16_t port, const CpuState& cpu, bool sregs_valid = true) {
    exits::Io io{};
    io.port = port;
    io.size = 4;
    io.count = 1;
    return VmExit{io, cpu, sregs_valid};
}

VmExit shutdown(const CpuState& cpu) { return VmExit{exits::Shutdown{}, cpu, true}; }

bool has(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("the reset state is recognised, and a long-mode or protected-mode guest is not taken for it") {
    CHECK(is_reset_state(reset_state()));
    CHECK(!is_reset_state(long_mode(0xfff0, 0xf000)));  // PE set: not after INIT
    CHECK(!is_reset_state(long_mode(0xffffffff81000000)));
    CpuState pm = reset_state();
    pm.regs.rip = 0x100000;
    CHECK(!is_reset_state(pm));
}

TEST_CASE("a shutdown that kept the fault's registers (kvm_intel, kvm_pvm): reported as they are") {
    LastSeen seen;
    seen.boot(long_mode(0x1000000));
    seen.exit(io_exit(0xec0, long_mode(0xffffffff81000100)), 1, "io");
    auto r = end_registers(shutdown(long_mode(0xffffffff81000200)), 9, seen, "kvm_intel", {});
    CHECK(std::string(r.label) == "at_exit");
    CHECK(!r.kvm_reset);
    CHECK(r.cpu.regs.rip == 0xffffffff81000200);
    CHECK(r.seq == 9);  // the exit that ended the run
    CHECK(r.heading.empty());
}

TEST_CASE("kvm_amd reset the vCPU on SHUTDOWN: the last exit's registers, labelled, with the reset state named") {
    LastSeen seen;
    seen.boot(long_mode(0x1000000));
    seen.exit(io_exit(0xec0, long_mode(0xffffffff81000100)), 1, "io");
    seen.exit(io_exit(0xe9, long_mode(0xffffffff81000180)), 2, "io");
    auto r = end_registers(shutdown(reset_state()), 9, seen, "kvm_amd", {});
    CHECK(std::string(r.label) == "last_exit");
    CHECK(r.kvm_reset);
    CHECK(r.seq == 2);
    CHECK(r.cpu.regs.rip == 0xffffffff81000180);
    CHECK(r.cpu.sregs.cs.selector == 0x10);
    CHECK(r.reset.regs.rip == 0xfff0);
    CHECK(has(r.note, "registers at the last exit before the shutdown (exit #2, io out port 0xe9)"));
    CHECK(has(r.note, "kvm_amd resets the vCPU on SHUTDOWN"));
    CHECK(has(r.note, "CS 0xf000, RIP 0xfff0"));
    CHECK(has(r.heading, r.note.c_str()));
    CHECK(!has(r.note, "segment and control registers from"));  // both from exit #2
    JsonObject j;
    add_end_registers(j, r);
    auto s = j.done();
    CHECK(has(s, "\"registers\":\"last_exit\""));
    CHECK(has(s, "\"registers_seq\":2"));
    CHECK(has(s, "\"kvm_reset\":true"));
    CHECK(has(s, "\"reset_rip\":\"0xfff0\""));
}

TEST_CASE("segment registers that an exit did not carry: taken from the last exit that did, and said so") {
    LastSeen seen;
    seen.boot(long_mode(0x1000000));
    seen.exit(io_exit(0xec0, long_mode(0xffffffff81000100)), 1, "io");
    CpuState stale = long_mode(0xffffffff81000180, 0x0);  // sregs not synced: garbage
    seen.exit(io_exit(0xe9, stale, false), 2, "io");
    auto r = end_registers(shutdown(reset_state()), 9, seen, "kvm_amd", {});
    CHECK(r.cpu.regs.rip == 0xffffffff81000180);
    CHECK(r.cpu.sregs.cs.selector == 0x10);
    CHECK(has(r.note, "segment and control registers from exit #1"));
}

TEST_CASE("no exit before the reset: the registers lstar loaded at boot") {
    LastSeen seen;
    seen.boot(long_mode(0x1000000));
    auto r = end_registers(shutdown(reset_state()), 9, seen, "kvm_amd", {});
    CHECK(std::string(r.label) == "boot");
    CHECK(r.seq == 0);
    CHECK(r.cpu.regs.rip == 0x1000000);
    CHECK(has(r.note, "registers lstar loaded at boot: no exit came before the shutdown"));
}

TEST_CASE("the last guest exception record is shown next to the last exit's registers") {
    LastSeen seen;
    seen.boot(long_mode(0x1000000));
    abi::ExceptionEvent ex{};
    ex.vector = 13;
    ex.rip = 0xffffffff81000123;
    ex.cs = 0x10;
    ex.has_error_code = 1;
    seen.exit(io_exit(0xec0, long_mode(0xffffffff81000100)), 5, "io");
    seen.exception(ex, 5);
    auto r = end_registers(shutdown(reset_state()), 9, seen, "kvm_amd", {});
    CHECK(has(r.heading, "last guest exception record (exit #5): #GP"));
    CHECK(has(r.heading, "0xffffffff81000123"));
}

TEST_CASE("another KVM that returns the reset state is named as itself, not as kvm_amd") {
    LastSeen seen;
    seen.exit(io_exit(0xec0, long_mode(0xffffffff81000100)), 1, "io");
    auto r = end_registers(shutdown(reset_state()), 9, seen, "unknown", {});
    CHECK(r.kvm_reset);
    CHECK(!has(r.note, "kvm_amd"));
    CHECK(has(r.note, "unknown reset the vCPU on SHUTDOWN"));
}

TEST_CASE("only a shutdown is read as a reset: a hlt in real mode at 0xfff0 is reported as it is") {
    LastSeen seen;
    seen.exit(io_exit(0xec0, long_mode(0xffffffff81000100)), 1, "io");
    auto r = end_registers(VmExit{exits::Hlt{}, reset_state(), true}, 9, seen, "kvm_amd", {});
    CHECK(!r.kvm_reset);
    CHECK(r.cpu.regs.rip == 0xfff0);
}
