// What the Linux tests share (test_linux.cpp, test_linux_views.cpp): Debian's kernel, the test
// initramfs (tests/linux/), and reading what the guest printed.
#pragma once
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lstar_process.hpp"

namespace lstar::test::linux_guest {


// tests/integration/meson.build boots the QEMU TCG reference with the same command line.
inline const char* const kCmdline = "console=ttyS0 acpi=off quiet";

// The newest /boot/vmlinuz-*, "" when there is none.
inline std::string debian_kernel() {
    std::string best;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/boot", ec))
        if (e.path().filename().string().rfind("vmlinuz-", 0) == 0 && e.path().string() > best) best = e.path().string();
    return best;
}

inline std::string initramfs() { return build_dir() + "/tests/integration/linux_initramfs.cpio"; }

// The lines that start with prefix, in order.
inline std::vector<std::string> lines_with(const std::string& text, const std::string& prefix) {
    std::vector<std::string> v;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) {
        if (!l.empty() && l.back() == '\r') l.pop_back();
        if (l.rfind(prefix, 0) == 0) v.push_back(l);
    }
    return v;
}

inline double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// Debian's /boot/System.map is a stub: the kernel's own /proc/kallsyms, read at build time in a
// `nokaslr` boot under QEMU's TCG (scripts/linux-kallsyms), link addresses.
inline std::string symbols_file() { return build_dir() + "/tests/integration/linux.kallsyms"; }

// Where name is linked, from that file (0: not there).
inline uint64_t linked(const std::string& name) {
    std::ifstream in(symbols_file());
    for (std::string line; std::getline(in, line);) {
        std::istringstream l(line);
        std::string a, t, s;
        if (l >> a >> t >> s && s == name) return std::stoull(a, nullptr, 16);
    }
    return 0;
}

// The address /proc/kallsyms gave the guest for name, from the "lstar-kallsyms:" line.
inline uint64_t guest_kallsyms(const std::string& out, const std::string& name) {
    auto lines = lines_with(out, "lstar-kallsyms:");
    if (lines.empty()) return 0;
    std::istringstream in(lines[0].substr(15));
    for (std::string addr, type, sym; in >> addr >> type >> sym;)
        if (sym == name) return std::stoull(addr, nullptr, 16);
    return 0;
}

inline std::string hex(uint64_t v) {
    std::ostringstream o;
    o << "0x" << std::hex << v;
    return o.str();
}


inline bool have_kernel() {
    if (debian_kernel().empty()) {
        FAIL("no /boot/vmlinuz-*: scripts/setup installs linux-image-amd64");
        return false;
    }
    REQUIRE_MESSAGE(linked("entry_SYSCALL_64") != 0, symbols_file() << " has no entry_SYSCALL_64 (scripts/linux-kallsyms)");
    return true;
}


}  // namespace lstar::test::linux_guest
