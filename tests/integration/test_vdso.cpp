// The vDSO, the vvar page, the clock system calls and the legacy vsyscall page, in live VMs
// (guest/user/vdso_test, vsyscall_test, vdso_bench; docs/vdso.md).
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <regex>
#include <set>

#include "lstar_process.hpp"
#include "qemu_runner.hpp"

using namespace lstar::test;
using nlohmann::json;

namespace {

constexpr int kSigsegvStatus = 128 + 11;

// How many syscall_enter events name this system call.
size_t count_syscalls(const Result& r, const std::string& name) {
    size_t n = 0;
    for (const auto& e : events(r, "syscall_enter"))
        if (e.value("name", "") == name) n++;
    return n;
}

size_t count_lines(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) n++;
    return n;
}

// "vdso time: N" from vdso_test's output.
long number_after(const std::string& text, const std::string& key) {
    auto at = text.find(key);
    REQUIRE(at != std::string::npos);
    return std::strtol(text.c_str() + at + key.size(), nullptr, 10);
}

}  // namespace

TEST_CASE("vdso_test: every vDSO function agrees with its system call (direct, pti, PVH boot)") {
    if (!kvm_usable()) return;
    for (auto mode : {std::vector<std::string>{}, {"--entry", "pti"}, {"--msr-setup", "guest"}}) {
        std::vector<std::string> args = {"-q", "run", "--init", "vdso_test"};
        args.insert(args.end(), mode.begin(), mode.end());
        auto r = run_lstar(args);
        CAPTURE(r.out);
        CHECK(r.status == 0);
        CHECK(r.out.find("FAIL") == std::string::npos);
        CHECK(r.out.find("failures: 0") != std::string::npos);
        CHECK(count_lines(r.out, "ok   ") == 24);
        // The clock syscalls went through sys_call_table like any other.
        CHECK(count_syscalls(r, "clock_gettime") >= 10);
        CHECK(count_syscalls(r, "gettimeofday") == 2);
        CHECK(count_syscalls(r, "time") == 1);
        CHECK(count_syscalls(r, "getcpu") == 1);
    }
}

TEST_CASE("time() through the vDSO is today's date: within a few seconds of the host's time()") {
    if (!kvm_usable()) return;
    const long before = long(std::time(nullptr));
    auto r = run_lstar({"-q", "run", "--init", "vdso_test"});
    const long after = long(std::time(nullptr));
    REQUIRE(r.status == 0);
    const long vdso_time = number_after(r.out, "vdso time: ");
    CHECK(vdso_time >= before - 2);
    CHECK(vdso_time <= after + 2);
    // And the monitor's hand-over in the setup record.
    auto setup = records(r, "setup");
    REQUIRE(setup.size() == 1);
    const auto wall_s = long(setup[0]["boot_wallclock_ns"].get<uint64_t>() / 1000000000ull);
    CHECK(wall_s >= before - 2);
    CHECK(wall_s <= after + 2);
    CHECK(setup[0]["tsc_khz"].get<uint64_t>() > 100000);  // > 100 MHz
    CHECK(setup[0]["boot_tsc"].get<uint64_t>() > 0);
}

TEST_CASE("vDSO calls make no system call; the same calls through syscall make N") {
    if (!kvm_usable()) return;
    constexpr int kN = 300;
    auto vdso = run_lstar({"run", "--trace", "syscalls", "--init", "vdso_test", "--", "vdso", std::to_string(kN)});
    auto sys = run_lstar({"run", "--trace", "syscalls", "--init", "vdso_test", "--", "syscall", std::to_string(kN)});
    REQUIRE(vdso.status == 0);
    REQUIRE(sys.status == 0);
    CHECK(vdso.out.find("calls 300") != std::string::npos);
    // The kernel's own events (the exit log)...
    CHECK(count_syscalls(vdso, "clock_gettime") == 0);
    CHECK(events(vdso, "syscall_enter").size() == 2);  // write("calls 300\n") and exit_group
    CHECK(count_syscalls(sys, "clock_gettime") == kN);
    // ... and the monitor's own trace, which needs no help from the guest.
    CHECK(count_lines(vdso.err, "\nclock_gettime(") == 0);
    CHECK(count_lines(sys.err, "\nclock_gettime(CLOCK_MONOTONIC, ") == kN);  // strace names the clock
}

TEST_CASE("the vDSO lands at a random page-aligned address per exec, with AT_SYSINFO_EHDR pointing at it") {
    if (!kvm_usable()) return;
    std::set<uint64_t> bases;
    const std::regex vdso_at("vdso at 0x([0-9a-f]+) \\(AT_SYSINFO_EHDR\\), vvar at 0x([0-9a-f]+)");
    for (int i = 0; i < 3; i++) {
        auto r = run_lstar({"-q", "run", "--init", "vdso_test"}, false);
        REQUIRE(r.status == 0);
        std::smatch m;
        REQUIRE(std::regex_search(r.out, m, vdso_at));
        const uint64_t base = std::stoull(m[1], nullptr, 16), vvar = std::stoull(m[2], nullptr, 16);
        CHECK(base % 4096 == 0);
        CHECK(vvar == base - 4096);
        CHECK(base >= 0x7f0000000000ull);
        CHECK(base < 0x7f4000000000ull + 4096);
        bases.insert(base);
    }
    CHECK(bases.size() == 3);
}

TEST_CASE("vsyscall=emulate: the page is readable (the legacy code), calls are emulated from #PF, misaligned calls die") {
    if (!kvm_usable()) return;
    auto call = run_lstar({"-q", "run", "--vsyscall", "emulate", "--init", "vsyscall_test", "--", "call"});
    CHECK(call.status == 0);
    CHECK(count_lines(call.out, "ok   ") == 3);
    // Three #PF (present, instruction fetch, user) at the three entry points, each fixed up.
    auto ex = events(call, "exception");
    REQUIRE(ex.size() == 3);
    const char* rips[] = {"0xffffffffff600000", "0xffffffffff600400", "0xffffffffff600800"};
    for (int i = 0; i < 3; i++) {
        CHECK(ex[i]["vector"] == 14);
        CHECK(ex[i]["rip"] == rips[i]);
        CHECK(ex[i]["cr2"] == rips[i]);
        CHECK(ex[i]["error_code"] == "0x15");  // P | U | I: present but NX
        CHECK(ex[i]["action"] == "fixup");
    }
    CHECK(count_syscalls(call, "time") == 1);  // the checks' own time(2); the emulated ones are not syscalls

    auto read = run_lstar({"-q", "run", "--vsyscall", "emulate", "--init", "vsyscall_test", "--", "read"});
    CHECK(read.status == 0);
    // mov $96,%rax; syscall; ret; int3 (vsyscall_emu_64.S), as Linux shows it
    CHECK(read.out.find("vsyscall page bytes: 48 c7 c0 60 00 00 00 0f 05 c3 cc cc") != std::string::npos);

    auto mis = run_lstar({"-q", "run", "--vsyscall", "emulate", "--init", "vsyscall_test", "--", "misaligned"});
    CHECK(mis.status == kSigsegvStatus);
    CHECK(mis.out.find("misaligned vsyscall (exploit attempt or buggy program)") != std::string::npos);
    CHECK(mis.out.find("segfault at ffffffffff600010") != std::string::npos);
}

TEST_CASE("vsyscall emulation treats the user stack and pointers as hostile") {
    if (!kvm_usable()) return;
    auto s = run_lstar({"-q", "run", "--vsyscall", "emulate", "--init", "vsyscall_test", "--", "badstack"});
    CHECK(s.status == kSigsegvStatus);
    CHECK(s.out.find("vsyscall with bad stack (exploit attempt?) ip:ffffffffff600400") != std::string::npos);
    CHECK(s.out.find("sp:1000") != std::string::npos);
    auto p = run_lstar({"-q", "run", "--init", "vsyscall_test", "--", "badptr"});
    CHECK(p.status == kSigsegvStatus);
    CHECK(p.out.find("vsyscall fault (exploit attempt?) ip:ffffffffff600400") != std::string::npos);
    CHECK(p.out.find("FAIL") == std::string::npos);
}

TEST_CASE("vsyscall=xonly (the default): calls are emulated, reads are a segfault") {
    if (!kvm_usable()) return;
    for (auto args : {std::vector<std::string>{"-q", "run"}, {"-q", "run", "--vsyscall", "xonly"}}) {
        auto call = args, read = args, mis = args;
        call.insert(call.end(), {"--init", "vsyscall_test", "--", "call"});
        read.insert(read.end(), {"--init", "vsyscall_test", "--", "read"});
        mis.insert(mis.end(), {"--init", "vsyscall_test", "--", "misaligned"});
        auto c = run_lstar(call);
        CHECK(c.status == 0);
        CHECK(count_lines(c.out, "ok   ") == 3);
        auto ex = events(c, "exception");
        REQUIRE(ex.size() == 3);
        CHECK(ex[0]["error_code"] == "0x14");  // U | I: not present
        CHECK(ex[0]["action"] == "fixup");
        auto r = run_lstar(read);
        CHECK(r.status == kSigsegvStatus);
        CHECK(r.out.find("vsyscall read attempt denied") != std::string::npos);
        CHECK(r.out.find("segfault at ffffffffff600000") != std::string::npos);
        auto m = run_lstar(mis);
        CHECK(m.status == kSigsegvStatus);
        CHECK(m.out.find("misaligned vsyscall") != std::string::npos);
    }
}

TEST_CASE("vsyscall=none: a call kills the program with a message naming the vsyscall address") {
    if (!kvm_usable()) return;
    auto r = run_lstar({"-q", "run", "--vsyscall", "none", "--init", "vsyscall_test", "--", "call"});
    CHECK(r.status == kSigsegvStatus);
    CHECK(r.out.find("vsyscall attempted with vsyscall=none ip:ffffffffff600000") != std::string::npos);
    CHECK(r.out.find("segfault at ffffffffff600000 ip ffffffffff600000") != std::string::npos);
    CHECK(r.out.find("ok   ") == std::string::npos);
    auto ex = events(r, "exception");
    REQUIRE(ex.size() == 1);
    CHECK(ex[0]["action"] == "kill_task");
}

TEST_CASE("vsyscall with PTI: the user page table maps the vsyscall page and still not the kernel image") {
    if (!kvm_usable()) return;
    auto r = run_lstar({"-q", "run", "--entry", "pti", "--vsyscall", "emulate", "--show-user-mappings", "--init",
                        "vsyscall_test", "--", "call"});
    CHECK(r.status == 0);
    CHECK(count_lines(r.out, "ok   ") == 3);
    auto m = records(r, "user_mappings");
    REQUIRE(m.size() == 1);
    const std::string dump = m[0].dump();
    CAPTURE(dump);
    CHECK(dump.find("0xffffffffff600000") != std::string::npos);
    CHECK(dump.find("0xffffffff80000000") == std::string::npos);  // the kernel image: not in the user CR3
    // Every syscall entered the way this KVM enters them (the emulated vsyscalls are not syscalls):
    // by the CPU itself on hardware, completed by the #PF shim on kvm_pvm.
    auto end = records(r, "end");
    REQUIRE(end.size() == 1);
    CHECK(end[0]["via_pf_shim"].get<int>() == (expected_via("syscall") == "pf_shim" ? end[0]["syscalls"].get<int>() : 0));
    CHECK(end[0]["syscalls"].get<int>() > 0);

    auto read = run_lstar({"-q", "run", "--entry", "pti", "--vsyscall", "emulate", "--init", "vsyscall_test", "--", "read"});
    CHECK(read.status == 0);
    CHECK(read.out.find("48 c7 c0 60") != std::string::npos);
}

TEST_CASE("vsyscall=emulate in direct mode: U on PML4[511] exposes only the vsyscall page, not the kernel image") {
    if (!kvm_usable()) return;
    auto r = run_lstar({"-q", "run", "--vsyscall", "emulate", "--show-user-mappings"});
    CHECK(r.status == 0);
    auto m = records(r, "user_mappings");
    REQUIRE(m.size() == 1);
    bool image = false, vsyscall = false;
    for (const auto& range : m[0]["ranges"]) {
        const uint64_t start = hex(range["start"]);
        if (start == 0xffffffff80000000ull) image = true;
        if (start == 0xffffffffff600000ull) {
            vsyscall = true;
            CHECK(range["user"] == true);
            CHECK(range["writable"] == false);
            CHECK(range["executable"] == false);
            CHECK(hex(range["end"]) == 0xffffffffff601000ull);
        }
        if (start != 0xffffffffff600000ull) CHECK(range["user"] == false);
    }
    CHECK(image);
    CHECK(vsyscall);
}

TEST_CASE("vdso_bench prints its table: function call, vDSO, syscall, vsyscall") {
    if (!kvm_usable()) return;
    auto r = run_lstar({"-q", "run", "--no-guest-events", "--init", "vdso_bench", "--", "20"}, false);
    CHECK(r.status == 0);
    for (const char* row : {"function call ", "vDSO clock_gettime ", "syscall clock_gettime ", "vsyscall time() "})
        CHECK(r.out.find(row) != std::string::npos);
    CHECK(count_lines(r.out, " cycles/call ") == 4);
}

TEST_CASE("the GDT has Linux's CPUNODE entry for the vDSO's getcpu") {
    if (!kvm_usable()) return;
    auto r = run_lstar({"-q", "run"});
    auto setup = records(r, "setup");
    REQUIRE(setup.size() == 1);
    bool found = false;
    for (const auto& e : setup[0]["gdt"])
        if (e["name"] == "__CPUNODE_SEG") {
            found = true;
            CHECK(e["selector"] == "0x78");
            CHECK(e["raw"] == "0x40f50000000000");
        }
    CHECK(found);
}

// The reference CPU. Under QEMU there is no BootInfo clock: the kernel reads the CMOS RTC (QEMU's
// is the host's UTC time, 1 s resolution) and calibrates the TSC against PIT channel 0 (rtc.cpp).
TEST_CASE("under QEMU TCG: the vDSO and the vsyscall emulation behave the same, the clock from the CMOS RTC") {
    if (!have_qemu("the vDSO under QEMU")) return;
    const long before = long(std::time(nullptr));
    auto q = run_qemu("init=vdso_test");
    const long after = long(std::time(nullptr));
    INFO("qemu stderr: " << q.err << "\nconsole: " << q.console);
    REQUIRE(q.ran);
    CHECK(q.status == 0);
    CHECK(count_lines(q.out, "ok   ") == 24);
    CHECK(q.out.find("FAIL") == std::string::npos);
    const long t = number_after(q.out, "vdso time: ");
    CHECK(t >= before - 3);  // the RTC's whole seconds, and TCG's boot time
    CHECK(t <= after + 2);

    auto v = run_qemu("vsyscall=emulate init=vsyscall_test -- call");
    CHECK(v.status == 0);
    CHECK(count_lines(v.out, "ok   ") == 3);
    // QEMU's exit status is (status << 1) | 1 in 8 bits: 139 arrives as 139 & 0x7f.
    auto m = run_qemu("vsyscall=xonly init=vsyscall_test -- misaligned");
    CHECK(m.status == (kSigsegvStatus & 0x7f));
    CHECK(m.klog.find("misaligned vsyscall") != std::string::npos);
    auto n = run_qemu("vsyscall=none init=vsyscall_test -- call");
    CHECK(n.status == (kSigsegvStatus & 0x7f));
    CHECK(n.klog.find("vsyscall attempted with vsyscall=none ip:ffffffffff600000") != std::string::npos);
}

// What Linux's vdso2c checks at build time: the image must run wherever it is mapped, unrelocated.
TEST_CASE("the built vDSO is a relocation-free ET_DYN with one PT_LOAD at 0 and soname linux-vdso.so.1") {
    std::FILE* f = std::fopen((build_dir() + "/guest/vdso64.so").c_str(), "rb");
    REQUIRE(f);
    std::string img;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) img.append(buf, n);
    std::fclose(f);
    REQUIRE(img.size() > 64);
    auto u16 = [&](size_t o) { return uint16_t(uint8_t(img[o]) | uint8_t(img[o + 1]) << 8); };
    auto u64 = [&](size_t o) {
        uint64_t v = 0;
        for (int i = 7; i >= 0; i--) v = v << 8 | uint8_t(img[o + size_t(i)]);
        return v;
    };
    CHECK(img.compare(0, 4, "\x7f" "ELF") == 0);
    CHECK(u16(16) == 3);  // ET_DYN
    const uint64_t phoff = u64(32);
    const unsigned phnum = u16(56);
    unsigned loads = 0;
    uint64_t dyn_off = 0, dyn_size = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const size_t ph = size_t(phoff) + i * 56;
        REQUIRE(ph + 56 <= img.size());
        const uint32_t type = u16(ph) | uint32_t(u16(ph + 2)) << 16;
        if (type == 1) {
            loads++;
            CHECK(u64(ph + 16) == 0);  // p_vaddr
            CHECK(u64(ph + 8) == 0);   // p_offset
        }
        if (type == 2) dyn_off = u64(ph + 8), dyn_size = u64(ph + 32);
    }
    CHECK(loads == 1);
    REQUIRE(dyn_off);
    REQUIRE(dyn_off + dyn_size <= img.size());
    uint64_t strtab = 0, soname = ~0ull;
    for (uint64_t d = dyn_off; d + 16 <= dyn_off + dyn_size; d += 16) {
        const int64_t tag = int64_t(u64(size_t(d)));
        if (tag == 0) break;
        CAPTURE(tag);
        CHECK(tag != 7);   // DT_RELA
        CHECK(tag != 17);  // DT_REL
        CHECK(tag != 22);  // DT_TEXTREL
        CHECK(tag != 23);  // DT_JMPREL
        if (tag == 5) strtab = u64(size_t(d) + 8);
        if (tag == 14) soname = u64(size_t(d) + 8);
    }
    REQUIRE(strtab + soname < img.size());
    CHECK(std::string(img.c_str() + strtab + soname) == "linux-vdso.so.1");
}
