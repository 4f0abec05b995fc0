// Faults the kernel cannot recover from, made on purpose (lstar.crash=...): the monitor must say
// what happened, where, and end with the documented status and a complete log.
#include <doctest/doctest.h>

#include "shutdown_registers.hpp"
#include "lstar_process.hpp"

using namespace lstar::test;

TEST_CASE("a triple fault from ring 3 (a user program under an empty IDT): status 112, CPL 3, the faulting ud2") {
    auto r = run_lstar({"run", "--append", "init=ud2 lstar.crash=user-triple"});
    CHECK(r.status == 112);
    CHECK(r.err.find("triple_fault") != std::string::npos);
    check_complete_log(r, "triple_fault");
    auto f = records(r, "fault");
    REQUIRE(f.size() == 1);
    check_shutdown_registers(r);
    CHECK(events(r, "user_enter").size() == 1);  // the kernel did enter ring 3
    CHECK(events(r, "exception").empty());       // and no exception reached its handlers
    if (resets_on_shutdown()) {
        // kvm_amd reset the vCPU: the last registers lstar saw are the kernel's, at the exit of
        // its user_enter event (it breaks the IDT and enters ring 3 after that, without an exit).
        CHECK(f[0]["registers"] == "last_exit");
        CHECK(f[0]["registers_seq"] == events(r, "user_enter")[0]["seq"]);
        CHECK(f[0]["cpl"] == 0);
        return;
    }
    CHECK(f[0]["cpl"] == 3);
    CHECK(f[0]["cs"] == "0x33");
    CHECK(f[0]["insn"] == "ud2");
    CHECK(f[0]["idt_limit"] == "0x0");  // the broken IDT
}

// With no exit log and no guest events, lstar does not ask KVM for the segment and control
// registers with every exit; the exit that needs them fetches them. The report must not differ.
TEST_CASE("the fault report is the same without an exit log and guest events (registers fetched when needed)") {
    auto sregs_lines = [](const std::string& err) {
        std::string keep;
        for (const char* head : {"  CS ", "  SS ", "  DS ", "  GS ", "  TR ", "  GDTR ", "  CR0 "}) {
            auto at = err.find(head);
            REQUIRE(at != std::string::npos);
            keep += err.substr(at, err.find('\n', at) - at) + "\n";
        }
        return keep;
    };
    auto logged = run_lstar({"-q", "run", "--append", "init=ud2 lstar.crash=user-triple"});
    auto bare = run_lstar({"-q", "run", "--no-guest-events", "--append", "init=ud2 lstar.crash=user-triple"}, false);
    CHECK(bare.status == 112);
    if (resets_on_shutdown()) {
        // kvm_amd returns the reset state with the shutdown, in both runs: each report shows the
        // last registers lstar saw, and those differ between a run with events and one without.
        // Both must say so, and neither may show the reset state as the fault.
        for (auto* r : {&logged, &bare}) {
            CHECK(r->err.find("kvm_amd resets the vCPU on SHUTDOWN") != std::string::npos);
            CHECK(r->err.find("CS  sel=0xf000") == std::string::npos);
            CHECK(r->err.find("RIP 0x000000000000fff0") == std::string::npos);
        }
        return;
    }
    CHECK(sregs_lines(bare.err) == sregs_lines(logged.err));
    CHECK(bare.err.find("CR3 0x0 ") == std::string::npos);
    CHECK(bare.err.find("CS  sel=0x0033") != std::string::npos);  // CPL 3, not a stale or zeroed copy
}

TEST_CASE("a kernel stack overflow hits the guard page and ends in #DF on its IST stack: both reported, status 114") {
    for (const char* setup : {"monitor", "guest"}) {  // lstar's 64-bit protocol and PVH
        CAPTURE(setup);
        auto r = run_lstar({"run", "--msr-setup", setup, "--append", "lstar.crash=stack"});
        CHECK(r.status == 114);
        check_complete_log(r, "halted");
        auto ex = events(r, "exception");
        REQUIRE(ex.size() == 1);
        CHECK(ex[0]["vector"] == 8);
        CHECK(ex[0]["mnemonic"] == "#DF");
        CHECK(ex[0]["from_cpl"] == 0);
        CHECK(ex[0]["action"] == "panic");
        // The handler ran on IST1 (df_stack in the cpu_entry_area), not on the overflowed stack.
        CHECK(ex[0]["handler_stack"].get<std::string>().rfind("df_stack+", 0) == 0);
        // The overflowed stack: RSP at the bottom of task_stack, CR2 in the guard page below it.
        CHECK(hex(ex[0]["rsp"]) == 0xffffc90000001000ull);
        CHECK(ex[0]["cr2"] == "0xffffc90000000ff8");
        // The guest's own report, and the monitor's.
        bool guard = false, panic = false;
        for (auto& l : events(r, "log")) {
            auto t = l["text"].get<std::string>();
            guard = guard || t.find("BUG: stack guard page was hit at ffffc90000000ff8") != std::string::npos;
            panic = panic || t.find("Kernel panic: kernel stack overflow (double-fault)") != std::string::npos;
        }
        CHECK(guard);
        CHECK(panic);
        CHECK(r.err.find("#DF (double fault)") != std::string::npos);
        CHECK(r.err.find("kernel panic") != std::string::npos);
    }
}
