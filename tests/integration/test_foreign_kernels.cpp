// Foreign kernels (docs/foreign-kernels.md): small PVH and multiboot kernels of our own, each
// booted by lstar and by QEMU's TCG (`-M microvm -kernel`) in the same test, with the same COM1
// output and the same isa-debug-exit status; lstar's own kernel through its PVH entry as QEMU
// boots it; fw_cfg, the multiboot memory map and the local APIC seen from inside a guest.
#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>

#include "lstar_process.hpp"
#include "qemu_runner.hpp"

using namespace lstar::test;

namespace {

std::string guest(const char* name) { return build_dir() + "/tests/guests/" + name; }

// lstar turns the guest's "\r\n" into "\n" on stdout; QEMU passes COM1 through as it came.
std::string crlf_to_lf(std::string s) {
    for (size_t at; (at = s.find("\r\n")) != std::string::npos;) s.erase(at, 1);
    return s;
}

std::string module_file() {
    std::string path = build_dir() + "/tests/guests/foreign_module.txt";
    std::ofstream(path) << "first line of the module\nsecond line\n";
    return path;
}

// The setup record names the protocol, every COM1 line is a console event, and the run is complete.
void check_log(const Result& r, const char* protocol, const std::string& out) {
    REQUIRE(!r.log.empty());
    CHECK(r.log.front()["protocol"] == protocol);
    std::string lines;
    for (auto& e : events(r, "console")) {
        CHECK(e["device"] == "com1");
        lines += e["text"].get<std::string>() + "\n";
    }
    CHECK(lines == out);
    check_complete_log(r, "guest_exit");
}

}  // namespace

TEST_CASE("a PVH kernel of our own: the same output and status under lstar and under QEMU TCG") {
    const std::string k = guest("pvh_hello.elf");
    auto l = run_lstar({"run", k, "--append", "console=ttyS0 answer=42"});
    CHECK(l.status == 67);  // isa-debug-exit 0x21: (0x21 << 1) | 1
    CHECK(l.out == "hello from a PVH kernel (32-bit entry, paging off)\ncmdline: \"console=ttyS0 answer=42\"\n"
                   "modules: 0x00000000\n");
    CHECK(l.err.find("PVH (XEN_ELFNOTE_PHYS32_ENTRY 0x100000)") != std::string::npos);
    check_log(l, "pvh", l.out);
    if (!have_qemu()) return;
    auto q = run_qemu_kernel(k, "console=ttyS0 answer=42");
    INFO("qemu stderr: " << q.err);
    REQUIRE(q.ran);
    CHECK(q.qemu_status == l.status);
    CHECK(crlf_to_lf(q.com1) == l.out);
}

TEST_CASE("a multiboot kernel of our own, with a module: the same output and status under lstar and QEMU TCG") {
    const std::string k = guest("mb_hello.elf"), mod = module_file();
    auto l = run_lstar({"run", k, "--append", "hello multiboot", "--module", mod});
    CHECK(l.status == 85);
    CHECK(l.out == "hello from a multiboot kernel (32-bit entry, paging off)\ncmdline: \"" + k +
                       " hello multiboot\"\nmodule: " + mod + ", size 0x00000025, first line: first line of the module\n");
    CHECK(l.err.find("multiboot v1 (header at file offset 0x1000, flags 0x3), an ELF32 image") != std::string::npos);
    check_log(l, "multiboot", l.out);
    auto setup = l.log.front();
    CHECK(setup["boot_data"] == "0x1000");
    REQUIRE(setup["modules"].size() == 1);
    CHECK(setup["modules"][0]["size"] == 37);
    CHECK(hex(setup["modules"][0]["phys"]) % 4096 == 0);
    REQUIRE(setup["memmap"].size() == 3);
    CHECK(setup["memmap"][2]["addr"] == "0x100000");
    if (!have_qemu()) return;
    auto q = run_qemu_kernel(k, "hello multiboot", {"-initrd", mod});
    INFO("qemu stderr: " << q.err);
    REQUIRE(q.ran);
    CHECK(q.qemu_status == l.status);
    CHECK(crlf_to_lf(q.com1) == l.out);
}

TEST_CASE("multiboot by the header's address fields (a flat binary, also under QEMU) and as a 64-bit ELF") {
    const std::string flat = guest("mb_hello_flat.bin");
    auto l = run_lstar({"run", flat, "--append", "flat"});
    CHECK(l.status == 85);
    CHECK(l.err.find("a flat image loaded by the header's address fields (flag bit 16)") != std::string::npos);
    CHECK(l.out.find("cmdline: \"" + flat + " flat\"") != std::string::npos);
    auto l64 = run_lstar({"run", guest("mb_hello64.elf"), "--append", "x"});
    CHECK(l64.status == 85);
    CHECK(l64.err.find("an ELF64 image loaded by its ELF64 program headers' physical addresses") != std::string::npos);
    if (!have_qemu()) return;
    auto q = run_qemu_kernel(flat, "flat");
    REQUIRE(q.ran);
    CHECK(q.qemu_status == 85);
    CHECK(crlf_to_lf(q.com1) == l.out);
}

TEST_CASE("a multiboot ELF linked with -Ttext=0x100000 (its headers' PT_LOAD at 0xff000) boots as under QEMU") {
    const std::string k = guest("mb_hello_ttext.elf");
    auto l = run_lstar({"-v", "run", k, "--append", "low"});  // -v: the set-up table on stderr
    INFO("lstar stderr: " << l.err);
    CHECK(l.status == 85);
    CHECK(l.out == "hello from a multiboot kernel (32-bit entry, paging off)\ncmdline: \"" + k + " low\"\n");
    CHECK(l.err.find("phys [0xff000, ") != std::string::npos);  // the set-up table: loaded from 0xff000
    if (!have_qemu()) return;
    auto q = run_qemu_kernel(k, "low");
    INFO("qemu stderr: " << q.err);
    REQUIRE(q.ran);
    CHECK(q.qemu_status == l.status);
    CHECK(crlf_to_lf(q.com1) == l.out);
}

TEST_CASE("a multiboot kernel prints fw_cfg and the multiboot memory map") {
    const std::string k = guest("mb_info.elf");
    auto l = run_lstar({"-q", "run", k, "-m", "64", "--append", "a b c"});
    CHECK(l.status == 1);  // isa-debug-exit 0
    CHECK(l.out == "fw_cfg signature: QEMU\n"
                   "fw_cfg id: 0x00000001\n"  // the port interface, no DMA
                   "fw_cfg cpus: 0x00000001\n"
                   "fw_cfg ram: 0x04000000\n"
                   "fw_cfg cmdline: \"" + k + " a b c\"\n"
                   "fw_cfg key 0x1234: 0x00000000\n"
                   "multiboot flags: 0x0000024d, mem_lower: 0x0000027f, mem_upper: 0x0000fc00\n"
                   "mmap: base 0x0000000000000000 length 0x000000000009fc00 type 0x00000001\n"
                   "mmap: base 0x000000000009fc00 length 0x0000000000060400 type 0x00000002\n"
                   "mmap: base 0x0000000000100000 length 0x0000000003f00000 type 0x00000001\n"
                   "boot loader: lstar\n");
    if (!have_qemu()) return;
    // QEMU agrees on what both implement alike: the signature, the CPU count, the RAM size.
    auto q = run_qemu_kernel(k, "a b c", {"-m", "64"});
    REQUIRE(q.ran);
    CHECK(q.qemu_status == 1);
    for (const char* line : {"fw_cfg signature: QEMU\r\n", "fw_cfg cpus: 0x00000001\r\n", "fw_cfg ram: 0x04000000\r\n",
                             "mem_lower: 0x0000027f"})
        CHECK_MESSAGE(q.com1.find(line) != std::string::npos, line);
}

TEST_CASE("a guest using the local APIC at 0xfee00000: its timer interrupt arrives (in-kernel irqchip)") {
    const std::string k = guest("mb_lapic.elf");
    auto l = run_lstar({"run", "--timeout", "20", k});
    CHECK(l.status == 43);
    const std::string want = "LAPIC version: 0x00000014\nLAPIC timer armed (one-shot, vector 0x40); sti; hlt\n"
                             "LAPIC timer interrupt on vector 0x40\n";
    CHECK(l.out == want);
    if (!have_qemu()) return;
    auto q = run_qemu_kernel(k, "");
    REQUIRE(q.ran);
    CHECK(q.qemu_status == 43);
    CHECK(crlf_to_lf(q.com1) == want);
}

TEST_CASE("lstar's own kernel through its PVH entry (--boot pvh): COM1 and isa-debug-exit, as under QEMU") {
    auto l = run_lstar({"run", "--boot", "pvh", "--init", "hello", "--", "5"});
    CHECK(l.status == 11);  // hello exits 5; the kernel writes 5 to isa-debug-exit
    CHECK(l.out.find("<6>lstar: booted through PVH") != std::string::npos);
    CHECK(l.out.find("Hello from ring 3") != std::string::npos);
    check_log(l, "pvh", crlf_to_lf(l.out));
    if (!have_qemu()) return;
    auto q = run_qemu("init=hello -- 5");
    REQUIRE(q.ran);
    CHECK(q.qemu_status == l.status);
    CHECK(crlf_to_lf(q.com1) == l.out);
}

TEST_CASE("foreign boots: clear refusals") {
    auto r = run_lstar({"run", "--boot", "multiboot"}, false);  // the built-in kernel has no multiboot header
    CHECK(r.status == 65);
    CHECK(r.err.find("no multiboot header") != std::string::npos);
    r = run_lstar({"run", "--module", guest("mb_info.elf")}, false);
    CHECK(r.status == 64);
    CHECK(r.err.find("--module is for PVH and multiboot kernels") != std::string::npos);
    r = run_lstar({"run", guest("mb_hello.elf"), "-m", "4096"}, false);
    CHECK(r.status == 64);
    CHECK(r.err.find("at most 3072 MiB") != std::string::npos);
    r = run_lstar({"run", "--smp", "2"}, false);
    CHECK(r.status == 64);
    CHECK(r.err.find("lstar runs one vCPU") != std::string::npos);
    r = run_lstar({"run", "--boot", "lstar", guest("pvh_hello.elf")}, false);
    CHECK(r.status == 65);
    CHECK(r.err.find("no \"lstar\" ELF note") != std::string::npos);
}

TEST_CASE("unknown ports and MMIO under a foreign kernel: all ones, logged every time, named on stderr a few times") {
    auto r = run_lstar({"run", guest("mb_unknown.elf")});
    CHECK(r.status == 1);  // every read returned all ones, and the run went on
    int port_exits = 0, mmio_reads = 0, mmio_writes = 0;
    for (auto& j : records(r, "exit")) {
        if (j["reason"] == "io" && j["port"] == "0x1234") {
            ++port_exits;
            CHECK(j["note"].get<std::string>().find("reads all ones") != std::string::npos);
        }
        if (j["reason"] == "mmio") (j["write"] == true ? mmio_writes : mmio_reads)++;
    }
    CHECK(port_exits == 5);
    CHECK(mmio_reads == 4);
    CHECK(mmio_writes == 1);
    auto count = [&](const std::string& s) {
        int n = 0;
        for (size_t at = 0; (at = r.err.find(s, at)) != std::string::npos; ++at) ++n;
        return n;
    };
    CHECK(count("unhandled IN from port 0x1234") == 3);  // rate-limited: three named
    CHECK(count("further ones like it are not shown") == 2);  // once for the port, once for the MMIO page
    CHECK(count("MMIO read from 0xd0000000") == 3);
    CHECK(count("MMIO write to 0xd0000000") == 0);  // the same page, already past its limit
    check_complete_log(r, "guest_exit");
}

TEST_CASE("the CMOS RTC: lstar's kernel booted as a plain PVH kernel reads today's date from it") {
    const long long before = std::time(nullptr);
    auto r = run_lstar({"run", "--boot", "pvh", "--init", "vdso_test"});
    const long long after = std::time(nullptr);
    CAPTURE(r.err);
    CHECK(r.status == 1);  // isa-debug-exit of 0: (0 << 1) | 1
    const auto at = r.out.find("vdso time: ");
    REQUIRE(at != std::string::npos);
    const long long guest = std::stoll(r.out.substr(at + 11));
    // Read while the run lasted (however slow this KVM is), give or take the RTC's one-second steps.
    CAPTURE(before);
    CAPTURE(after);
    CHECK(guest >= before - 2);
    CHECK(guest <= after + 2);
    // The RTC answers: no spinning on an all-ones "update in progress" bit.
    CHECK(records(r, "exit").size() < 20000);
    CHECK(r.err.find("unhandled IN from port 0x71") == std::string::npos);
}
