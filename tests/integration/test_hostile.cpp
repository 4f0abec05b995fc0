// Hostile guests and bad input: a clear reason, the documented status, a complete exit log.
#include <doctest/doctest.h>

#include <csignal>

#include "shutdown_registers.hpp"
#include "lstar_process.hpp"

using namespace lstar::test;

static std::string guest(const char* name) { return build_dir() + "/tests/guests/" + name + ".elf"; }


TEST_CASE("a kernel that never loads an IDT and takes an exception: triple fault, status 112") {
    auto r = run_lstar({"run", guest("no_idt")});
    CHECK(r.status == 112);
    CHECK(r.err.find("ud2") != std::string::npos);  // at the fault, or at the entry lstar loaded (kvm_amd)
    check_complete_log(r, "triple_fault");
    check_shutdown_registers(r);
    CHECK(records(r, "fault")[0]["insn"] == "ud2");
}

TEST_CASE("MMIO to addresses with nothing behind them: every width logged, reads are all ones") {
    auto r = run_lstar({"-q", "run", guest("mmio")});
    CHECK(r.status == 0);  // the guest checks that each read returned all ones
    int reads = 0, writes = 0;
    for (auto& j : records(r, "exit")) {
        if (j["reason"] != "mmio") continue;
        CHECK(j["gpa"] == "0x40000000");
        (j["write"] == true ? writes : reads)++;
        CHECK(j["note"].get<std::string>().find("no RAM or device") != std::string::npos);
    }
    CHECK(reads == 4);
    CHECK(writes == 4);
    check_complete_log(r, "guest_exit");
}

TEST_CASE("malformed event records are refused one by one, with reasons, and the run goes on") {
    auto r = run_lstar({"run", guest("bad_events")});
    CHECK(r.status == 0);
    auto bad = events(r, "bad_record");
    REQUIRE(bad.size() == 6);
    const char* why[] = {"outside guest RAM", "bad magic", "impossible size", "at most 240", "unknown type",
                         "expected"};
    for (size_t i = 0; i < 6; ++i) CHECK_MESSAGE(bad[i]["why"].get<std::string>().find(why[i]) != std::string::npos, why[i]);
    CHECK(r.log.back()["bad_events"] == 6);
    check_complete_log(r, "guest_exit");
}

TEST_CASE("--msr-setup guest: trapped MSR accesses are logged decoded, and a forbidden WRMSR gets a #GP") {
    auto r = run_lstar({"run", "--msr-setup", "guest", guest("wrmsr_garbage")});
    auto msrs = records(r, "msr");
    REQUIRE(msrs.size() == 3);
    CHECK(msrs[0]["op"] == "wrmsr");
    CHECK(msrs[0]["msr"] == "IA32_STAR");
    CHECK(msrs[0]["decoded"].get<std::string>().find("SYSRET CS=0x33") != std::string::npos);
    CHECK(msrs[1]["op"] == "rdmsr");
    CHECK(msrs[1]["value"] == "0x23001000000000");  // completed through KVM and read back
    CHECK(msrs[2]["msr"] == "IA32_LSTAR");
    CHECK(msrs[2]["gp"].get<std::string>().find("canonical") != std::string::npos);
    CHECK(r.status == 112);  // the #GP found no IDT: the hardware's answer, triple fault
    CHECK(r.log.front()["protocol"] == "pvh");
    check_complete_log(r, "triple_fault");
    check_shutdown_registers(r);
}

TEST_CASE("an exit log on a full disk: reported, status 74, the guest stopped") {
    auto r = run_lstar({"-q", "run", "--exit-log", "/dev/full"}, false);
    CHECK(r.status == 74);
    CHECK(r.err.find("No space left on device") != std::string::npos);
}

TEST_CASE("an exit log that cannot be created: status 74 before anything runs") {
    auto r = run_lstar({"-q", "run", "--exit-log", "/nonexistent-dir/x.jsonl"}, false);
    CHECK(r.status == 74);
    CHECK(r.err.find("/nonexistent-dir/x.jsonl") != std::string::npos);
    CHECK(r.out.empty());
}

TEST_CASE("a missing KVM device: status 69 and what to do") {
    auto r = run_lstar({"run", "--kvm-device", "/nonexistent/kvm"}, false);
    CHECK(r.status == 69);
    CHECK(r.err.find("/nonexistent/kvm") != std::string::npos);
    // The tests run where a KVM works: its module has registered /dev/kvm, and the message says the
    // path given is the wrong one (the other machines' messages: tests/unit/test_kvm_missing.cpp).
    CHECK(r.err.find("no device at /nonexistent/kvm") != std::string::npos);
    CHECK(r.err.find("kvm module") != std::string::npos);
    CHECK(r.err.find("PVM guest") == std::string::npos);
}

TEST_CASE("--entry pti-pcid is refused before boot when the host's KVM offers no PCID") {
    auto r = run_lstar({"run", "--entry", "pti-pcid"}, false);
    if (r.status == 0) {
        MESSAGE("this KVM offers PCID: pti-pcid ran");
        return;
    }
    CHECK(r.status == 69);
    CHECK(r.err.find("CPUID.01H:ECX.PCID[bit 17]") != std::string::npos);
    CHECK(r.out.empty());
}

TEST_CASE("SIGTERM stops the guest with status 143 and a complete log") {
    // Sent once the kernel has entered the spinning program, not after a delay a slower KVM may not meet.
    auto r = run_lstar_until({"-v", "run", "--init", "spin", "--timeout", "120"}, "kernel enters ring 3", SIGTERM);
    CHECK(r.status == 143);
    check_complete_log(r, "interrupted");
}
