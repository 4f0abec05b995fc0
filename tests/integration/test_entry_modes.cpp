// Entry modes (direct, PTI), who programs the syscall MSRs, and the three doors, seen by lstar.
#include <doctest/doctest.h>

#include "lstar_process.hpp"

using namespace lstar::test;
using nlohmann::json;

static const char* kGreeting = "Hello from ring 3: write(2) reached entry_SYSCALL_64 and came back with sysretq\n";

TEST_CASE("--show-user-mappings: in direct mode a user CR3 maps the whole kernel (supervisor-only)") {
    auto r = run_lstar({"-q", "run", "--show-user-mappings"});
    CHECK(r.status == 0);
    auto m = records(r, "user_mappings");
    REQUIRE(m.size() == 1);
    CHECK(m[0]["user_cr3"] == m[0]["kernel_cr3"]);
    CHECK(m[0]["bytes"].get<uint64_t>() > (64ull << 20));  // the kernel map and the direct map
    bool kernel_text = false;
    for (auto& range : m[0]["ranges"]) {
        CHECK(range["user"] == false);
        kernel_text = kernel_text || hex(range["start"]) == 0xffffffff80000000ull;
    }
    CHECK(kernel_text);
}

TEST_CASE("--show-user-mappings: with PTI a user CR3 maps only the entry area") {
    auto r = run_lstar({"-q", "run", "--entry", "pti", "--show-user-mappings"});
    CHECK(r.status == 0);
    CHECK(r.out == kGreeting);
    auto m = records(r, "user_mappings");
    REQUIRE(m.size() == 1);
    CHECK(hex(m[0]["user_cr3"]) == (hex(m[0]["kernel_cr3"]) | 0x1000));  // the user PML4 is at +4 KiB
    CHECK(m[0]["bytes"].get<uint64_t>() < (1ull << 20));
    for (auto& range : m[0]["ranges"]) {
        CHECK(range["user"] == false);
        CHECK(hex(range["start"]) >= 0xfffffe0000000000ull);  // cpu_entry_area
        CHECK(hex(range["end"]) <= 0xfffffe0000100000ull);
    }
}

TEST_CASE("--entry pti: LSTAR is the trampoline, and every syscall switches CR3 on the way in and out") {
    auto r = run_lstar({"run", "--entry", "pti"});
    CHECK(r.status == 0);
    CHECK(r.out == kGreeting);
    CHECK(r.log.front()["entry_mode"] == "pti");
    CHECK(r.log.front()["lstar_sym"] == "entry_SYSCALL_64_trampoline");
    auto in = events(r, "syscall_enter");
    REQUIRE(in.size() == 2);
    for (auto& e : in) {
        CHECK(e["entry_mode"] == "pti");
        CHECK(e["cr3"] != e["user_cr3"]);  // observed by KVM: the kernel's tables while in the kernel
    }
    CHECK(r.err.find("PTI: CR3 switched from the user page tables") != std::string::npos);
}

TEST_CASE("--entry pti with program arguments: the mode still reaches the kernel") {
    // The monitor's keys (lstar.entry=) must come before " -- ": after it they would be argv.
    auto r = run_lstar({"run", "--entry", "pti", "--init", "getpid_loop", "--", "3"});
    CHECK(r.status == 0);
    auto in = events(r, "syscall_enter");
    REQUIRE(in.size() == 4);  // three getpid and the exit
    for (auto& e : in) CHECK(e["entry_mode"] == "pti");
}

TEST_CASE("--trace path under PTI shows the CR3 switch instruction by instruction") {
    auto r = run_lstar({"-q", "run", "--entry", "pti", "--no-guest-events", "--trace", "path=getpid", "--init", "getpid"},
                       false);
    CHECK(r.status == 0);
    CHECK(r.err.find("entry_SYSCALL_64_trampoline") != std::string::npos);
    CHECK(r.err.find("mov cr3, ") != std::string::npos);
}

TEST_CASE("--msr-setup guest: PVH boot, and the kernel's own wrmsr of each syscall MSR, trapped and decoded") {
    for (const char* mode : {"direct", "pti"}) {
        auto r = run_lstar({"-q", "run", "--msr-setup", "guest", "--entry", mode});
        CHECK(r.status == 0);
        CHECK(r.out.find(kGreeting) != std::string::npos);
        CHECK(r.log.front()["protocol"] == "pvh");
        std::map<std::string, json> last_write;
        for (auto& m : records(r, "msr"))
            if (m["op"] == "wrmsr") last_write[m["msr"]] = m;
        REQUIRE(last_write.count("IA32_STAR"));
        CHECK(last_write["IA32_STAR"]["value"] == "0x23001000000000");
        CHECK(last_write["IA32_STAR"]["decoded"].get<std::string>().find("SYSRET CS=0x33 SS=0x2b") != std::string::npos);
        REQUIRE(last_write.count("IA32_LSTAR"));
        CHECK(last_write["IA32_LSTAR"]["sym"] ==
              (std::string(mode) == "pti" ? "entry_SYSCALL_64_trampoline" : "entry_SYSCALL_64"));
        CHECK(last_write["IA32_FMASK"]["value"] == "0x47700");
        CHECK(last_write["IA32_KERNEL_GS_BASE"]["sym"] == "percpu_area");
        CHECK(last_write["IA32_EFER"]["decoded"].get<std::string>().find("SCE") != std::string::npos);
        for (auto& m : records(r, "msr")) CHECK(!m.contains("gp"));  // nothing refused
    }
}

TEST_CASE("door int $0x80: the i386 ABI through an IDT gate, back with iretq") {
    auto r = run_lstar({"run", "--init", "door_int80"});
    CHECK(r.status == 0);
    CHECK(r.out == "int $0x80: getpid() = 1\n");
    bool getpid = false;
    for (auto& e : events(r, "syscall_enter")) {
        CHECK(e["door"] == "int80");
        CHECK(e["abi_bits"] == 32);
        CHECK(e["via"] == expected_via("int80"));
        CHECK(e["user_insn"] == "int $0x80");
        if (e["nr"] == 20) getpid = e["name"] == "getpid";  // i386 number 20
        CHECK(hex(e["regs_ss"]) == 0x2b);  // the CPU pushed SS, RSP, RFLAGS, CS, RIP
    }
    CHECK(getpid);
    for (auto& x : events(r, "syscall_exit")) CHECK(x["how"] == "iretq");
    // Hardware takes the DPL-3 gate; kvm_pvm raises #UD instead and the kernel's shim completes it.
    CHECK(r.err.find(hardware_semantics() ? "IDT vector 0x80" : "instead of taking gate 0x80") != std::string::npos);
}

TEST_CASE("door syscall: LSTAR, back with sysretq") {
    auto r = run_lstar({"-q", "run", "--init", "door_syscall"});
    CHECK(r.status == 0);
    CHECK(r.out == "syscall: getpid() = 1\n");
    for (auto& e : events(r, "syscall_enter")) CHECK(e["door"] == "syscall");
    for (auto& x : events(r, "syscall_exit")) CHECK(x["how"] == "sysretq");
}

TEST_CASE("door sysenter: the program says which happened on this CPU, and why") {
    auto r = run_lstar({"-q", "run", "--init", "door_sysenter"});
    CHECK(r.status == 0);
    CHECK(r.out.find("sysenter: CPU vendor ") != std::string::npos);
    bool amd_ud = r.out.find("#UD") != std::string::npos && r.out.find("AMD") != std::string::npos;
    bool intel_entered = r.out.find("entered the kernel at SYSENTER_EIP") != std::string::npos;
    CHECK((amd_ud || intel_entered));
}
