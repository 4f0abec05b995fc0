// The reference CPU: the same kernel image and user programs under QEMU's TCG (`-cpu max`, PVH
// entry, COM1, isa-debug-exit), which implements SYSCALL, INT gates and SYSENTER as the manuals
// say, against lstar on this host's KVM, where the guest kernel completes SYSCALL (#PF shim) and
// int $0x80 (#UD shim) itself. The user-visible results must be the same: exit status, and stdout,
// which under lstar carries the program's output and the kernel's log lines, as COM1 does under
// QEMU (there with "<N>" level prefixes, which the runner removes).
//
// QEMU 7.2's TCG offers no PCID (even with pcid=on), so pti-pcid is checked for the kernel's own
// refusal there; lstar refuses it before booting on a host without PCID.
#include <doctest/doctest.h>

#include <cstdlib>

#include "lstar_process.hpp"
#include "qemu_runner.hpp"

using namespace lstar::test;

namespace {

const char* const kDoors[] = {"door_syscall", "door_int80", "door_sysenter"};
const char* const kModes[] = {"direct", "pti"};
constexpr int kExitNoPcid = 125;  // the kernel's status for lstar.entry=pti-pcid without PCID

// The console without the kernel's "booted through PVH" line, which only PVH boots print (QEMU,
// and lstar's --msr-setup guest), not lstar's own 64-bit protocol.
std::string without_pvh_line(const std::string& s) {
    size_t at = s.find("lstar: booted through PVH");
    if (at == std::string::npos) return s;
    return s.substr(0, at) + s.substr(s.find('\n', at) + 1);
}

// door_sysenter's line that names the CPU vendor (CPUID leaf 0).
std::string vendor_line(const std::string& s) {
    size_t at = s.find("CPU vendor");
    return at == std::string::npos ? "" : s.substr(at, s.find('\n', at) - at);
}

}  // namespace

TEST_CASE("each door, each entry mode: the same output and status under lstar and under QEMU TCG") {
    if (!have_qemu("the reference-CPU comparison")) return;
    for (const char* prog : kDoors) {
        for (const char* mode : kModes) {
            CAPTURE(prog);
            CAPTURE(mode);
            auto q = run_qemu(std::string("init=") + prog + " lstar.entry=" + mode);
            INFO("qemu stderr: " << q.err << "\nkernel log: " << q.klog);
            REQUIRE(q.ran);
            CHECK(q.status == 0);
            CHECK(q.klog.find("booted through PVH") != std::string::npos);  // QEMU took the PVH note
            for (const char* msr : {"monitor", "guest"}) {
                CAPTURE(msr);
                auto l = run_lstar({"-q", "run", "--entry", mode, "--msr-setup", msr, "--init", prog}, false);
                CHECK(l.status == q.status);
                // SYSENTER's fate depends on the CPU vendor: compare only when both CPUs agree.
                if (std::string(prog) == "door_sysenter" && vendor_line(l.out) != vendor_line(q.out)) {
                    MESSAGE("door_sysenter: lstar's " << vendor_line(l.out) << ", QEMU's " << vendor_line(q.out)
                                                      << ": not compared");
                    continue;
                }
                CHECK(without_pvh_line(l.out) == without_pvh_line(q.console));
                if (std::string(msr) == "guest") CHECK(l.out.find("booted through PVH") != std::string::npos);
            }
        }
    }
}

TEST_CASE("the doors print what the architecture does") {
    if (!have_qemu("the reference-CPU comparison")) return;
    auto q = run_qemu("init=door_int80 lstar.entry=pti");
    CHECK(q.out == "int $0x80: getpid() = 1\n");
    q = run_qemu("init=door_syscall");
    CHECK(q.out == "syscall: getpid() = 1\n");
    // -cpu max has AMD's vendor string: SYSENTER in 64-bit mode is #UD, as on this host.
    q = run_qemu("init=door_sysenter");
    CHECK(q.out.find("sysenter: CPU vendor AuthenticAMD\n") == 0);
    CHECK(q.out.find("sysenter: #UD") != std::string::npos);
    CHECK(q.klog.find("#UD (SYSENTER is invalid in 64-bit mode on AMD CPUs)") != std::string::npos);
}

TEST_CASE("SYSENTER on an Intel CPU (QEMU TCG with Intel's vendor string) enters at SYSENTER_EIP, in both modes") {
    if (!have_qemu("the reference-CPU comparison")) return;
    for (const char* mode : kModes) {
        CAPTURE(mode);
        auto q = run_qemu(std::string("init=door_sysenter lstar.entry=") + mode, "max,vendor=GenuineIntel");
        REQUIRE(q.ran);
        CHECK(q.status == 0);
        CHECK(q.out == "sysenter: CPU vendor GenuineIntel\n"
                       "sysenter: entered the kernel at SYSENTER_EIP, getpid() = 1\n");
    }
}

TEST_CASE("pti-pcid without PCID: lstar refuses before booting, the kernel itself refuses under QEMU") {
    if (!have_qemu("the reference-CPU comparison")) return;
    auto q = run_qemu("init=door_syscall lstar.entry=pti-pcid");
    REQUIRE(q.ran);
    if (q.klog.find("has no PCID") == std::string::npos) {
        // A QEMU whose TCG has PCID: then pti-pcid must behave as pti.
        CHECK(q.status == 0);
        CHECK(q.out == "syscall: getpid() = 1\n");
        return;
    }
    CHECK(q.status == kExitNoPcid);
    CHECK(q.out == "");
    auto l = run_lstar({"-q", "run", "--entry", "pti-pcid", "--init", "door_syscall"}, false);
    if (l.status == 69) CHECK(l.err.find("PCID") != std::string::npos);  // this host: no PCID
    else CHECK(l.out == "syscall: getpid() = 1\n");                         // a host with PCID
}

TEST_CASE("a kernel stack overflow on the reference CPU: #DF on IST1, CR2 in the guard page, as under lstar") {
    if (!have_qemu("the reference-CPU comparison")) return;
    auto q = run_qemu("lstar.crash=stack", "max", 3);  // the kernel halts: QEMU is stopped after 3 s
    CHECK(!q.ran);
    CHECK(q.klog.find("BUG: stack guard page was hit at ffffc90000000ff8") != std::string::npos);
    CHECK(q.klog.find("Kernel panic: kernel stack overflow (double-fault), handled on the #DF IST stack "
                      "(pt_regs at fffffe0000005f18)") != std::string::npos);  // df_stack, in the entry area
    auto l = run_lstar({"-q", "run", "--append", "lstar.crash=stack"});
    CHECK(l.status == 114);
    CHECK(l.out.find("(pt_regs at fffffe0000005f18)") != std::string::npos);  // the same stack, the same frame
}
