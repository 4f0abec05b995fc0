// Status 69's message tells the machines without a KVM device apart, from a fake /sys and /proc
// tree: a PVM guest (kvm_pvm present, no kvm device registered), no module at all, kvm without a
// vendor module, and a registered device whose node is not at the path given.
#include <doctest/doctest.h>

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>

#include "kvm/missing.hpp"

namespace {

struct FakeRoot {
    std::string dir;
    FakeRoot(std::initializer_list<const char*> modules, const char* misc) {
        char tmpl[] = "/tmp/lstar-unit-kvm-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        dir = tmpl;
        std::filesystem::create_directories(dir + "/sys/module");
        for (const char* m : modules) std::filesystem::create_directories(dir + "/sys/module/" + m);
        if (misc) {
            std::filesystem::create_directories(dir + "/proc");
            std::ofstream(dir + "/proc/misc") << misc;
        }
    }
    ~FakeRoot() { std::filesystem::remove_all(dir); }
    std::string why(const std::string& path = "/dev/kvm") const {
        return lstar::kvm::explain_missing_device(path, lstar::kvm::probe_kvm_modules(dir));
    }
};

bool has(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("/proc/misc is parsed for the kvm line and its minor") {
    FakeRoot root({"kvm", "kvm_amd"}, "183 hw_random\n232 kvm\n 1 psaux\n");
    auto m = lstar::kvm::probe_kvm_modules(root.dir);
    CHECK(m.kvm);
    CHECK(m.kvm_amd);
    CHECK(!m.kvm_intel);
    CHECK(!m.kvm_pvm);
    CHECK(m.misc_readable);
    REQUIRE(m.misc_minor);
    CHECK(*m.misc_minor == 232);
}

TEST_CASE("a machine that is itself a PVM guest: use the nested tier") {
    // kvm_pvm is loaded but refused to bind: no kvm line in /proc/misc.
    FakeRoot root({"kvm", "kvm_pvm"}, "183 hw_random\n 1 psaux\n");
    auto w = root.why();
    CHECK(has(w, "this machine is itself a PVM guest: it cannot run VMs directly"));
    CHECK(has(w, "use the nested tier: scripts/hwkvm run -- lstar run ..."));
    CHECK(!has(w, "modprobe"));
}

TEST_CASE("no kvm module at all: load kvm_intel or kvm_amd") {
    FakeRoot root({"loop", "ext4"}, "183 hw_random\n");
    auto w = root.why();
    CHECK(has(w, "no kvm module is loaded"));
    CHECK(has(w, "modprobe kvm_intel"));
    CHECK(has(w, "modprobe kvm_amd"));
    CHECK(!has(w, "PVM"));
}

TEST_CASE("kvm without a vendor module: load the one for this CPU") {
    FakeRoot root({"kvm"}, "183 hw_random\n");
    auto w = root.why();
    CHECK(has(w, "neither kvm_intel nor kvm_amd"));
    CHECK(has(w, "VT-x or AMD-V"));
}

TEST_CASE("a registered KVM device that is not at the path given: names the path and the device node") {
    FakeRoot root({"kvm", "kvm_intel"}, "232 kvm\n");
    auto w = root.why("/nonexistent/kvm");
    CHECK(has(w, "no device at /nonexistent/kvm"));
    CHECK(has(w, "mknod /dev/kvm c 10 232"));
    CHECK(!has(w, "PVM guest"));
}

TEST_CASE("a PVM host (kvm_pvm bound, its device registered) is not taken for a PVM guest") {
    FakeRoot root({"kvm", "kvm_pvm"}, "232 kvm\n");
    auto w = root.why("/dev/kvm-gone");
    CHECK(!has(w, "PVM guest"));
    CHECK(has(w, "no device at /dev/kvm-gone"));
}

TEST_CASE("an unreadable /proc/misc is said, not guessed at") {
    FakeRoot root({"kvm", "kvm_pvm"}, nullptr);
    auto m = lstar::kvm::probe_kvm_modules(root.dir);
    CHECK(!m.misc_readable);
    auto w = root.why();
    CHECK(!has(w, "PVM guest"));
    CHECK(has(w, "/proc/misc could not be read"));
}

TEST_CASE("a kvm module that loaded but registered no device: see dmesg") {
    FakeRoot root({"kvm", "kvm_amd"}, "183 hw_random\n");
    CHECK(has(root.why(), "registered no kvm device"));
}
