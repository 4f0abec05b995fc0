// The seed notes' mechanism on Debian's own kernel, seen from outside without the guest's help
// (docs/linux.md): the instruction path of getpid from LSTAR to sysretq, an exception of a user
// program with Linux's handler, and what the user-mode CR3 maps of the kernel half, each with
// pti=on and pti=off. One boot per setting serves every assertion.
#include <doctest/doctest.h>

#include <map>
#include <regex>

#include "linux_guest.hpp"

using namespace lstar::test;
using namespace lstar::test::linux_guest;

namespace {

const Result& views_boot(const std::string& pti) {
    static std::map<std::string, Result> boots;
    auto it = boots.find(pti);
    if (it != boots.end()) return it->second;
    auto t = std::chrono::steady_clock::now();
    Result r = run_lstar({"run", debian_kernel(), "-m", "128", "--initrd", initramfs(), "--append",
                          std::string(kCmdline) + " pti=" + pti, "--trace", "path=getpid,exceptions=UD",
                          "--show-user-mappings", "--symbols", symbols_file()});
    MESSAGE("Linux with pti=" << pti << ", path, exceptions and user mappings (" << kvm_kind()
                              << "): " << seconds_since(t) << " s");
    return boots.emplace(pti, std::move(r)).first->second;
}

// "  351 ring-0 instructions from LSTAR ..." of the last path, 0 without one.
unsigned path_length(const std::string& err) {
    std::smatch m;
    unsigned n = 0;
    std::regex re("  ([0-9]+) ring-0 instructions from LSTAR to the return to user mode");
    for (auto it = std::sregex_iterator(err.begin(), err.end(), re); it != std::sregex_iterator(); ++it)
        n = unsigned(std::stoul((*it)[1]));
    return n;
}

// The step lines of the last path of getpid.
std::string last_path(const std::string& err) {
    auto at = err.rfind("path of getpid (#");
    if (at == std::string::npos) return "";
    auto end = err.find(" ring-0 instructions from LSTAR", at);
    return err.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

bool can_trace(const Result& r) {
    for (const auto& t : records(r, "trace"))
        if (t["kind"] == "breakpoints") return t["breakpoints"] != "none";
    return false;
}

}  // namespace

TEST_CASE("Linux's getpid, instruction by instruction, with pti=on and pti=off: the count and the CR3 switch differ") {
    if (!have_kernel() || !hardware_semantics()) return;  // test_linux.cpp asserts kvm_pvm's refusal
    const Result& on = views_boot("on");
    const Result& off = views_boot("off");
    INFO("pti=on stderr: " << on.err.substr(0, 20000));
    REQUIRE(can_trace(on));
    CHECK(on.status == 0);
    CHECK(off.status == 0);
    CHECK(lines_with(on.out, "lstar-linux: getpid returned a pid above 1").size() == 1);
    const std::string p_on = last_path(on.err), p_off = last_path(off.err);
    REQUIRE(!p_on.empty());
    REQUIRE(!p_off.empty());
    const unsigned n_on = path_length(on.err), n_off = path_length(off.err);
    MESSAGE("Linux getpid: " << n_on << " ring-0 instructions with pti=on, " << n_off << " with pti=off");
    CHECK(n_off > 50);
    // PTI's SWITCH_TO_KERNEL_CR3 and SWITCH_TO_USER_CR3: a CR3 write on the way in and out.
    CHECK(n_on > n_off);
    CHECK(p_on.find("mov cr3, ") != std::string::npos);
    CHECK(p_off.find("mov cr3, ") == std::string::npos);
    // It starts with swapgs at LSTAR and ends with the return to user mode.
    CHECK(p_on.find("swapgs") != std::string::npos);
    CHECK((p_on.find("sysretq") != std::string::npos || p_on.find("iretq") != std::string::npos));
    for (const char* fn : {"entry_SYSCALL_64", "do_syscall_64", "__x64_sys_getpid"}) {
        CHECK_MESSAGE(p_on.find(std::string(fn)) != std::string::npos, fn);
        CHECK_MESSAGE(p_off.find(std::string(fn)) != std::string::npos, fn);
    }
}

TEST_CASE("a user program's #UD on Linux, seen from outside: the faulting ud2 and Linux's handler from its IDT") {
    if (!have_kernel() || !hardware_semantics()) return;
    const Result& on = views_boot("on");
    INFO("stderr: " << on.err.substr(0, 20000));
    REQUIRE(can_trace(on));
    CHECK(lines_with(on.out, "lstar-linux: fault ud ended with status 132").size() == 1);  // 128 + SIGILL
    std::regex re("exception #UD \\(invalid opcode\\) at 0x[0-9a-f]+ from CPL 3, error code none: ud2; handler "
                  "(0x[0-9a-f]+)( <([^>]+)>)? on stack (0x[0-9a-f]+)");
    std::smatch m;
    REQUIRE(std::regex_search(on.err, m, re));
    CHECK(m[3] == "asm_exc_invalid_op");
    // With PTI, the CPU enters the handler on the cpu_entry_area's entry stack (TSS.RSP0).
    CHECK(m[4].str().rfind("0xfffffe", 0) == 0);
}

TEST_CASE("what Linux's user-mode CR3 maps of the kernel half: the entry area only with pti=on, everything with pti=off") {
    if (!have_kernel() || !hardware_semantics()) return;
    const Result& on = views_boot("on");
    const Result& off = views_boot("off");
    REQUIRE(can_trace(on));
    auto um_on = records(on, "user_mappings"), um_off = records(off, "user_mappings");
    REQUIRE(um_on.size() == 1);
    REQUIRE(um_off.size() == 1);
    // With PTI the user PGD is its own page, the kernel's the one before it (bit 12).
    CHECK(um_on[0]["user_cr3"] != um_on[0]["kernel_cr3"]);
    CHECK(um_off[0]["user_cr3"] == um_off[0]["kernel_cr3"]);
    const uint64_t b_on = um_on[0]["bytes"], b_off = um_off[0]["bytes"];
    MESSAGE("kernel half mapped by the user CR3: " << (b_on >> 10) << " KiB with pti=on, " << (b_off >> 10)
                                                   << " KiB with pti=off");
    CHECK(b_on < b_off);
    bool entry_area = false, kernel_text_rw = false;
    for (const auto& r : um_on[0]["ranges"]) {
        const std::string start = r["start"];
        if (start == "0xfffffe0000000000") entry_area = true;  // CPU_ENTRY_AREA_BASE
        if (start.rfind("0xffffffff8", 0) == 0 && int(r["writable"]) == 1 && int(r["executable"]) == 1)
            kernel_text_rw = true;
    }
    CHECK(entry_area);
    CHECK_FALSE(kernel_text_rw);
    CHECK(on.err.find("kernel-half mappings of the user-mode CR3 ") != std::string::npos);
}
