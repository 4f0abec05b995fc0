// One syscall from ring 3 into entry_SYSCALL_64 and back out with sysretq, seen in a live VM.
#include <doctest/doctest.h>

#include "lstar_process.hpp"

using namespace lstar::test;
using nlohmann::json;

static const char* kGreeting = "Hello from ring 3: write(2) reached entry_SYSCALL_64 and came back with sysretq\n";


TEST_CASE("the built-in guest prints its greeting on stdout and exits 0") {
    auto r = run_lstar({"-q", "run"});
    CHECK(r.status == 0);
    CHECK(r.out == kGreeting);  // stdout carries the guest's output and nothing else
    CHECK(r.log_error == "");
}

TEST_CASE("the guest's exit status is lstar's exit status") {
    auto r = run_lstar({"-q", "run", "--", "7"});
    CHECK(r.status == 7);
    CHECK(r.out == kGreeting);
    auto end = records(r, "end");
    REQUIRE(end.size() == 1);
    CHECK(end[0]["reason"] == "guest_exit");
    CHECK(end[0]["status"] == 7);
}

TEST_CASE("the exit log shows syscall, arrival at LSTAR, the handler and sysretq back to RCX at CPL 3, in order") {
    auto r = run_lstar({"-q", "run"});
    REQUIRE(r.log_error == "");
    REQUIRE(r.log.size() > 4);
    // The head of the log is the decoded boot set-up; the tail is the end record.
    const auto& setup = r.log.front();
    CHECK(setup["type"] == "setup");
    CHECK(setup["lstar_sym"] == "entry_SYSCALL_64");
    CHECK(setup["syscall_cs"] == "0x10");
    CHECK(setup["sysret_cs"] == "0x33");
    CHECK(setup["sysret_ss"] == "0x2b");
    CHECK(setup["star"] == "0x23001000000000");
    CHECK(setup["fmask"] == "0x47700");
    CHECK(setup["kernel_gs_base_sym"] == "percpu_area");
    CHECK(r.log.back()["type"] == "end");

    // Find write(1, ...): its enter event, then its exit event, later in the log.
    size_t enter_at = 0, exit_at = 0;
    for (size_t i = 0; i < r.log.size(); ++i) {
        const auto& j = r.log[i];
        if (j.value("event", "") == "syscall_enter" && j["name"] == "write" && !enter_at) enter_at = i;
        if (enter_at && i > enter_at && j.value("event", "") == "syscall_exit" && !exit_at) exit_at = i;
    }
    REQUIRE(enter_at > 0);
    REQUIRE(exit_at > enter_at);
    const auto& in = r.log[enter_at];
    const auto& out = r.log[exit_at];
    // 1. the user ran `syscall`: the monitor found the bytes 0f 05 just before RCX.
    CHECK(in["user_insn"] == "syscall");
    CHECK(hex(in["user_rip"]) < 0x800000000000ull);
    // 2. it arrived at the LSTAR symbol and ran the entry at CPL 0 (as seen by KVM, not claimed by the guest).
    CHECK(in["lstar_sym"] == "entry_SYSCALL_64");
    CHECK(in["cpl"] == 0);
    CHECK(in["via"] == expected_via("syscall"));  // the label of this KVM kind (docs/kvm-kinds.md)
    // swapgs happened: GS base is the per-CPU area; the stack is the kernel's.
    CHECK(in["gs_base"] == setup["kernel_gs_base"]);
    CHECK(hex(in["rsp"]) >= 0xffff800000000000ull);
    // 3. the handler came out of sys_call_table.
    CHECK(in["handler_sym"].get<std::string>().find("sys_write") != std::string::npos);
    CHECK(in["args"][0] == "0x1");
    // 4. sysretq returns to the RIP held in RCX, at CPL 3 with the STAR-derived selectors.
    CHECK(out["rcx"] == in["user_rip"]);
    CHECK(hex(out["ret"]) == std::string(kGreeting).size());
    CHECK(out["sysret_cs"] == "0x33");
    CHECK(out["sysret_ss"] == "0x2b");
    CHECK(out["return_cpl"] == 3);
    // The next syscall (exit_group) comes from user mode again, after the first returned.
    auto enters = events(r, "syscall_enter");
    REQUIRE(enters.size() == 2);
    CHECK(enters[1]["name"] == "exit_group");
    CHECK(enters[1]["user_insn"] == "syscall");
    // Exits are numbered in order and every exit record names its reason.
    uint64_t last = 0;
    for (auto& j : records(r, "exit")) {
        CHECK(j["seq"].get<uint64_t>() > last);
        last = j["seq"].get<uint64_t>();
        CHECK(j.contains("reason"));
    }
}

TEST_CASE("the default run narrates the first syscall's path on stderr, never on stdout") {
    auto r = run_lstar({"run"}, false);
    CHECK(r.status == 0);
    CHECK(r.out == kGreeting);
    CHECK(r.err.find("entry_SYSCALL_64") != std::string::npos);
    CHECK(r.err.find("swapgs") != std::string::npos);
    CHECK(r.err.find("sysretq") != std::string::npos);
    CHECK(r.err.find("sys_call_table[1]") != std::string::npos);
    CHECK(r.err.find("lstar summary") != std::string::npos);
}

TEST_CASE("-v prints the decoded boot set-up table") {
    auto r = run_lstar({"-v", "run"}, false);
    CHECK(r.status == 0);
    for (const char* s : {"STAR", "LSTAR", "FMASK", "EFER", "KERNEL_GS_BASE", "__KERNEL_CS", "__USER_CS", "TSS", "SCE"})
        CHECK_MESSAGE(r.err.find(s) != std::string::npos, s);
}

TEST_CASE("--no-guest-events: no syscall reports, the greeting still arrives, the summary counts from the kernel") {
    auto r = run_lstar({"run", "--no-guest-events"});
    CHECK(r.status == 0);
    CHECK(r.out == kGreeting);
    CHECK(events(r, "syscall_enter").empty());
    CHECK(events(r, "syscall_exit").empty());
    CHECK(events(r, "console_write").size() == 1);
    auto sd = events(r, "shutdown");
    REQUIRE(sd.size() == 1);
    CHECK(sd[0]["syscalls"] == 2);
    CHECK(r.err.find("from the kernel's counters") != std::string::npos);
}

TEST_CASE("an unimplemented syscall number goes through sys_ni_syscall and returns -ENOSYS") {
    auto r = run_lstar({"-q", "run", "--init", "nosys"});
    CHECK(r.status == 0);
    CHECK(r.out == "syscall(999) = -38\n");
    auto enters = events(r, "syscall_enter");
    REQUIRE(!enters.empty());
    CHECK(enters[0]["nr"] == 999);
    CHECK(enters[0]["handler_sym"].get<std::string>().find("sys_ni_syscall") != std::string::npos);
}

TEST_CASE("getpid returns through the same path") {
    auto r = run_lstar({"-q", "run", "--init", "getpid"});
    CHECK(r.status == 0);
    CHECK(r.out == "getpid() = 1\n");
    auto exits = events(r, "syscall_exit");
    REQUIRE(!exits.empty());
    CHECK(exits[0]["nr"] == 39);
    CHECK(exits[0]["ret"] == "0x1");
}

TEST_CASE("the set-up table says where the boot information is") {
    auto r = run_lstar({"-v", "run"}, false);
    CHECK(r.err.find("phys 0x1000 in RDI") != std::string::npos);
}
