// Runs that end badly end with a clear report, the documented status and a complete exit log.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <fstream>

#include "shutdown_registers.hpp"
#include "lstar_process.hpp"

using namespace lstar::test;

// lstar -v says this when the kernel enters a user program: the guest is past boot.
static const std::string kEntersRing3 = "kernel enters ring 3";


TEST_CASE("a triple-faulting guest: status 112, a report with the instruction at RIP, a complete log") {
    auto r = run_lstar({"run", "--append", "lstar.crash=triple"});
    CHECK(r.status == 112);
    CHECK(r.err.find("triple_fault") != std::string::npos);
    CHECK(r.err.find("RIP") != std::string::npos);
    check_complete_log(r, "triple_fault");
    REQUIRE(records(r, "fault").size() == 1);
    auto f = records(r, "fault")[0];
    // The fault's registers where KVM keeps them, the last exit's (labelled) where it resets the
    // vCPU (kvm_amd): in the kernel, in ring 0, either way.
    check_shutdown_registers(r);
    CHECK(f["cpl"] == 0);
    CHECK(!f["sym"].get<std::string>().empty());
    if (!resets_on_shutdown()) CHECK(f["insn"] == "ud2");  // lstar.crash=triple's ud2 under an empty IDT
}

TEST_CASE("a user program that spins forever: --timeout ends it with status 124") {
    auto r = run_lstar({"run", "--init", "spin", "--timeout", "1"});
    CHECK(r.status == 124);
    CHECK(r.err.find("timeout") != std::string::npos);
    check_complete_log(r, "timeout");
    CHECK(records(r, "fault")[0]["cpl"] == 3);
}

TEST_CASE("a kernel that spins forever in ring 0: --timeout ends it with status 124") {
    auto r = run_lstar({"run", "--append", "lstar.crash=kspin", "--timeout", "1"});
    CHECK(r.status == 124);
    check_complete_log(r, "timeout");
    CHECK(records(r, "fault")[0]["cpl"] == 0);
}

TEST_CASE("SIGINT stops the guest, and the exit log is still complete") {
    // Sent once the kernel has entered the spinning program (-v: "kernel enters ring 3"); the
    // --timeout only bounds a run whose signal never came.
    auto r = run_lstar_until({"-v", "run", "--init", "spin", "--timeout", "120"}, kEntersRing3, SIGINT);
    CHECK(r.status == 130);
    check_complete_log(r, "interrupted");
    REQUIRE(records(r, "fault").empty());  // an interrupted run is not a fault
    CHECK(events(r, "user_enter").size() == 1);
    CHECK(r.err.find("stopped by SIGINT") != std::string::npos);
}

TEST_CASE("a kernel panic (ring-0 exception) halts: status 114 and the exception is reported") {
    auto r = run_lstar({"run", "--append", "lstar.crash=kpanic"});
    CHECK(r.status == 114);
    auto ex = events(r, "exception");
    REQUIRE(ex.size() == 1);
    CHECK(ex[0]["from_cpl"] == 0);
    CHECK(ex[0]["action"] == "panic");
    check_complete_log(r, "halted");
}

TEST_CASE("a file that is not an ELF is refused before anything runs") {
    const char* path = "/tmp/lstar-test-not-elf";
    std::ofstream(path) << "this is not a kernel";
    auto r = run_lstar({"run", path});
    CHECK(r.status == 65);
    CHECK(r.err.find("not an ELF") != std::string::npos);
    CHECK(r.log.empty());
    std::remove(path);
}

TEST_CASE("an ELF that does not speak lstar's boot protocol is refused") {
    auto r = run_lstar({"run", build_dir() + "/guest/hello"});
    CHECK(r.status == 65);
    CHECK(r.err.find("lstar") != std::string::npos);
}

TEST_CASE("a missing image file is a clear error") {
    auto r = run_lstar({"run", "/nonexistent/kernel.elf"});
    CHECK(r.status == 65);
    CHECK(r.err.find("/nonexistent/kernel.elf") != std::string::npos);
}

TEST_CASE("bad options: status 64") {
    CHECK(run_lstar({"run", "-m", "-5"}, false).status == 64);
    CHECK(run_lstar({"run", "--timeout", "0"}, false).status == 64);
    CHECK(run_lstar({"frobnicate"}, false).status == 64);
    auto v = run_lstar({"--version"}, false);
    CHECK(v.status == 0);
    CHECK(v.out.find("lstar") != std::string::npos);
}

TEST_CASE("an instruction KVM cannot run ends with the instruction's bytes and disassembly (emulation failure)") {
    auto r = run_lstar({"run", build_dir() + "/tests/guests/emulation_failure.elf"});
    if (hardware_semantics()) {
        // Hardware KVM runs cmpxchg16b in ring 0 itself: the guest goes on and exits normally.
        CHECK(r.status == 0);
        check_complete_log(r, "guest_exit");
        CHECK(records(r, "fault").empty());
        return;
    }
    CHECK(r.status == 113);
    CHECK(r.err.find("emulation_failure") != std::string::npos);
    CHECK(r.err.find("cmpxchg16b") != std::string::npos);  // the monitor disassembled what KVM could not run
    check_complete_log(r, "emulation_failure");
    auto f = records(r, "fault");
    REQUIRE(f.size() == 1);
    CHECK(f[0]["insn"].get<std::string>().find("cmpxchg16b") != std::string::npos);
    CHECK(f[0]["cpl"] == 0);
}

TEST_CASE("SIGINT with --trace-out: the timeline is written and closed (valid JSON), the log complete") {
    const char* path = "/tmp/lstar-test-sigint-trace.json";
    auto r = run_lstar_until({"-v", "run", "--init", "spin", "--trace", "syscalls", "--trace-out", path, "--timeout", "120"},
                             kEntersRing3, SIGINT);
    CHECK(r.status == 130);
    check_complete_log(r, "interrupted");
    std::ifstream f(path);
    auto doc = nlohmann::json::parse(f, nullptr, false);
    CHECK(!doc.is_discarded());
    CHECK(doc["traceEvents"].size() >= 3);
    CHECK(r.err.find("lstar summary: interrupted") != std::string::npos);
    std::remove(path);
}
