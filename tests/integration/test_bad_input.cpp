// Bad input to the monitor: images broken one way each (patched copies of the built kernel),
// bad option values, a device without permission, a closed pipe for the exit log. Each gets a
// clear error naming what is wrong, the documented status, and nothing runs.
#include <doctest/doctest.h>

#include <elf.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "lstar_process.hpp"

using namespace lstar::test;

namespace {

std::vector<char> kernel_bytes() {
    std::ifstream f(build_dir() + "/guest/kernel.elf", std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
}

Elf64_Ehdr& ehdr(std::vector<char>& d) { return *reinterpret_cast<Elf64_Ehdr*>(d.data()); }

// The PT_LOAD program headers, in file order.
std::vector<Elf64_Phdr*> loads(std::vector<char>& d) {
    std::vector<Elf64_Phdr*> v;
    auto& e = ehdr(d);
    for (unsigned i = 0; i < e.e_phnum; ++i) {
        auto* p = reinterpret_cast<Elf64_Phdr*>(d.data() + e.e_phoff + i * e.e_phentsize);
        if (p->p_type == PT_LOAD) v.push_back(p);
    }
    return v;
}

// Runs lstar on the patched image; it must refuse it with status 65, name the file or the segment,
// and run nothing (no guest output, no exit-log record).
void refused(const std::vector<char>& image, const std::string& why, std::vector<std::string> extra = {}) {
    const std::string path = "/tmp/lstar-test-bad-image-" + std::to_string(::getpid());
    std::ofstream(path, std::ios::binary).write(image.data(), std::streamsize(image.size()));
    std::vector<std::string> args = {"run", path};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_lstar(args);
    std::remove(path.c_str());
    CAPTURE(r.err);
    CHECK(r.status == 65);
    CHECK(r.err.find("bad kernel image") != std::string::npos);
    CHECK(r.err.find(why) != std::string::npos);
    CHECK(r.out.empty());
    CHECK(r.log.empty());
}

}  // namespace

TEST_CASE("bad images: each refused with what is wrong, status 65, nothing run") {
    auto k = kernel_bytes();
    REQUIRE(k.size() > 4096);
    REQUIRE(loads(k).size() >= 4);
    SUBCASE("a 32-bit ELF") {
        k[EI_CLASS] = ELFCLASS32;
        refused(k, "a 32-bit kernel must be x86 (EM_386)");  // ELF32 is fine for multiboot/PVH, not with EM_X86_64
    }
    SUBCASE("truncated headers") {
        k.resize(40);
        refused(k, "truncated: the ELF header needs 64 bytes, the file has 40");
    }
    SUBCASE("a segment past the end of the file") {
        loads(k)[2]->p_offset = k.size();
        refused(k, "runs past the end of the");
    }
    SUBCASE("a segment outside guest RAM") {
        loads(k)[2]->p_paddr = 0x7ff00000;
        refused(k, "lies outside guest RAM (128 MiB)");
    }
    SUBCASE("overlapping segments") {
        auto l = loads(k);
        l[3]->p_paddr = l[2]->p_paddr;
        refused(k, "overlap in physical memory");
    }
    SUBCASE("an image larger than guest RAM") {
        loads(k).back()->p_memsz = 64 << 20;
        refused(k, "lies outside guest RAM (16 MiB)", {"-m", "16"});
    }
    SUBCASE("an entry point in a non-executable segment") {
        Elf64_Phdr* data = nullptr;
        for (auto* p : loads(k))
            if (!(p->p_flags & PF_X)) data = p;
        REQUIRE(data);
        ehdr(k).e_entry = data->p_vaddr;
        refused(k, "which is not executable");
    }
}

TEST_CASE("unknown mode names are refused with the valid ones, status 64") {
    auto r = run_lstar({"run", "--entry", "sysenter-please"}, false);
    CHECK(r.status == 64);
    CHECK(r.err.find("direct") != std::string::npos);  // CLI11 lists the valid values
    CHECK(r.out.empty());
    auto m = run_lstar({"run", "--msr-setup", "bios"}, false);
    CHECK(m.status == 64);
    CHECK(m.err.find("monitor") != std::string::npos);
    CHECK(run_lstar({"run", "--exit-log-limit", "0"}, false).status == 64);
    CHECK(run_lstar({"run", "--timeout", "-1"}, false).status == 64);
}

TEST_CASE("no permission on the KVM device: status 69 and what to do") {
    // As root every device opens: drop to nobody for this run (setpriv, util-linux).
    if (::geteuid() != 0 || std::system("command -v setpriv >/dev/null 2>&1") != 0) {
        MESSAGE("not root, or no setpriv: cannot make a KVM device we may not open");
        return;
    }
    const std::string err = "/tmp/lstar-test-noperm-" + std::to_string(::getpid());
    std::string cmd = "setpriv --reuid=65534 --regid=65534 --clear-groups " + build_dir() +
                      "/vmm/cli/lstar -q run --kvm-device /dev/kvm >/dev/null 2>" + err;
    int ws = std::system(cmd.c_str());
    std::ifstream f(err);
    std::string text{std::istreambuf_iterator<char>(f), {}};
    std::remove(err.c_str());
    if (WEXITSTATUS(ws) == 0) {
        MESSAGE("/dev/kvm is open to everyone on this machine: nothing to refuse");
        return;
    }
    CHECK(WEXITSTATUS(ws) == 69);
    CHECK(text.find("/dev/kvm: Permission denied") != std::string::npos);
    CHECK(text.find("'kvm' group") != std::string::npos);
}

TEST_CASE("an exit log on a pipe that closes while the guest floods it: reported, status 74, not SIGPIPE") {
    // The guest floods until it is stopped, so the pipe closes mid-flood on any KVM, fast or slow;
    // --timeout only bounds a run that failed to notice (124, not 74). /proc/self/fd/1 rather than
    // /dev/stdout: a bare devtmpfs (the nested tier's) has no /dev/stdout, and the log would go to
    // a new regular file there.
    const std::string err = "/tmp/lstar-test-epipe-" + std::to_string(::getpid());
    std::string cmd = "bash -c '" + build_dir() + "/vmm/cli/lstar -q run " + build_dir() +
                      "/tests/guests/flood_endless.elf --timeout 120 --exit-log /proc/self/fd/1 2>" + err +
                      " | head -c 100 >/dev/null; exit ${PIPESTATUS[0]}'";
    int ws = std::system(cmd.c_str());
    std::ifstream f(err);
    std::string text{std::istreambuf_iterator<char>(f), {}};
    std::remove(err.c_str());
    CHECK(WEXITSTATUS(ws) == 74);  // 141 would be a death by SIGPIPE
    CHECK(text.find("cannot write exit log /proc/self/fd/1: Broken pipe") != std::string::npos);
    CHECK(text.find("stopping the guest") != std::string::npos);
}
