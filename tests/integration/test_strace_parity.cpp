// strace parity: the same static glibc program (tests/static/syscalls.c) traced by lstar from
// outside the guest and by the host's `strace -f`, line for line where the two kernels agree; and
// lstar's strace options (-o, -e, -T, -tt, -c) asserted on in two VM boots.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "lstar_process.hpp"

using namespace lstar::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> v;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
}

std::string slurp(const fs::path& p) {
    std::ifstream f(p);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

// What may differ between two correct kernels, made equal: addresses (mmap's, the stack's, fs),
// clock readings and getrandom's bytes; and strace's column padding before " = ".
std::string normalized(std::string l) {
    l = std::regex_replace(l, std::regex(R"(\s+= )"), " = ");
    l = std::regex_replace(l, std::regex(R"(0x[0-9a-f]{5,})"), "ADDR");
    l = std::regex_replace(l, std::regex(R"(tv_sec=\d+, tv_nsec=\d+)"), "TIME");
    l = std::regex_replace(l, std::regex(R"(getrandom\("[^"]*")"), "getrandom(BYTES");
    return l;
}

// The program's own calls: from its openat of FILE to the getrandom just before its printf. Left
// out: glibc's static start-up before them (the host's execve, brk, readlink of /proc/self/exe
// and the auxv-driven calls differ by kernel) and the stdio calls after (fd 1 is a pipe on the
// host, lstar's console in the guest: newfstatat(1) reports S_IFIFO against S_IFCHR).
std::vector<std::string> program_calls(const std::vector<std::string>& all, const std::string& file) {
    std::vector<std::string> v;
    bool in = false;
    for (const auto& l : all) {
        if (!in && l.find("openat(AT_FDCWD, \"" + file + "\"") != std::string::npos) in = true;
        if (!in) continue;
        v.push_back(normalized(l));
        if (l.rfind("getrandom(", 0) == 0) break;
    }
    return v;
}

struct Root {
    fs::path dir;
    Root() {
        char t[] = "/tmp/lstar-strace-XXXXXX";
        dir = ::mkdtemp(t);
        fs::create_directories(dir / "bin");
        fs::create_directories(dir / "etc");
        fs::copy_file(build_dir() + "/tests/static/syscalls", dir / "bin/syscalls");
        std::ofstream(dir / "etc/motd") << "hello from the initrd\n";
        fs::permissions(dir / "etc/motd", fs::perms(0644));
    }
    ~Root() { fs::remove_all(dir); }
};

bool host_strace() { return std::system("strace -V >/dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("strace parity: the same static program, traced by lstar and by the host's strace -f") {
    if (!kvm_usable()) return;
    REQUIRE_MESSAGE(host_strace(), "strace is not installed (scripts/setup installs it)");
    Root root;
    // The host: strace -f -o FILE, the program reading the same file by its host path.
    const fs::path host_out = root.dir / "host.strace";
    const std::string motd_host = (root.dir / "etc/motd").string();
    const std::string cmd = "strace -f -o '" + host_out.string() + "' '" + (root.dir / "bin/syscalls").string() +
                            "' '" + motd_host + "' >/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    std::string host = slurp(host_out);
    for (size_t at; (at = host.find(motd_host)) != std::string::npos;) host.replace(at, motd_host.size(), "/etc/motd");
    host = std::regex_replace(host, std::regex(R"((^|\n)\d+ +)"), "$1");  // -f -o puts the pid first
    // lstar: one boot for -o, -T, -tt and the comparison; the trace goes to its own file.
    const fs::path trace = root.dir / "lstar.strace";
    auto r = run_lstar({"run", "--no-guest-events", "-o", trace.string(), "-T", "-tt", "-C", "--initrd",
                        root.dir.string(), "--", "/bin/syscalls", "/etc/motd"});
    INFO("lstar stderr: " << r.err);
    CHECK(r.status == 0);
    CHECK(r.out.find("read 16, size 22, fs set, limits 64/128") == 0);
    const std::string lstar = slurp(trace);
    CHECK(lstar.find("trace: breakpoints:") == 0);       // the tracer's lines are in the file...
    CHECK(r.err.find("openat(") == std::string::npos);  // ...and not on stderr
    std::vector<std::string> ours;
    const std::regex tt_and_T(R"(^\d\d:\d\d:\d\d\.\d{6} (.*) <\d+\.\d{6}>$)");
    // -C: the lines, then the table, both in the file as strace -o puts them.
    const size_t table = lstar.find("% time     seconds  usecs/call     calls    errors syscall\n");
    REQUIRE(table != std::string::npos);
    CHECK(lstar.find("\n100.00 ", table) != std::string::npos);
    CHECK(r.err.find("% time") == std::string::npos);
    for (const auto& l : lines(lstar.substr(0, table))) {
        std::smatch m;
        if (l.rfind("trace:", 0) == 0) continue;
        if (l.find("exit_group(") != std::string::npos) {
            CHECK(l.find(" = ?") != std::string::npos);  // no -T for a call that does not return
            continue;
        }
        CAPTURE(l);
        REQUIRE(std::regex_match(l, m, tt_and_T));  // -tt before, -T after every returned call
        ours.push_back(m[1]);
    }
    auto mine = program_calls(ours, "/etc/motd"), theirs = program_calls(lines(host), "/etc/motd");
    REQUIRE(theirs.size() >= 20);
    CHECK(mine.size() == theirs.size());
    for (size_t i = 0; i < std::min(mine.size(), theirs.size()); ++i) {
        CAPTURE(i);
        // Where the kernels disagree only the call is compared: lstar's kernel answers an O_CREAT
        // open on its read-only initramfs with EROFS before it looks the path up; Linux looks the
        // parent up first and says ENOENT.
        if (theirs[i].rfind("openat(AT_FDCWD, \"/nonexistent/file\"", 0) == 0)
            CHECK(mine[i].substr(0, mine[i].find(" = ")) == theirs[i].substr(0, theirs[i].find(" = ")));
        else
            CHECK(mine[i] == theirs[i]);
    }
    // The host's lines for the start-up are there too: every call name strace saw after its
    // execve that our kernel implements appears in lstar's trace as well.
    for (const char* name : {"brk(", "arch_prctl(ARCH_SET_FS, ", "set_tid_address(", "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur="}) {
        CAPTURE(name);
        CHECK(host.find(name) != std::string::npos);
        CHECK(lstar.find(name) != std::string::npos);
    }
}

TEST_CASE("strace options: -e by name and class, -c's table on stderr with the calls and errors lstar saw") {
    if (!kvm_usable()) return;
    Root root;
    auto r = run_lstar({"run", "--no-guest-events", "-C", "-e", "trace=openat,%memory", "--initrd", root.dir.string(),
                        "--", "/bin/syscalls", "/etc/motd"});
    INFO("lstar stderr: " << r.err);
    CHECK(r.status == 0);
    auto v = lines(r.err);
    size_t openat = 0, memory = 0, others = 0, header = 0;
    std::map<std::string, std::pair<int, int>> rows;  // name -> calls, errors
    const std::regex row(R"(^ *\d+\.\d\d +\d+\.\d{6} +\d+ +(\d+) +(\d*) (\w+)$)");
    for (const auto& l : v) {
        std::smatch m;
        if (l.rfind("openat(", 0) == 0) ++openat;
        else if (l.rfind("mmap(", 0) == 0 || l.rfind("mprotect(", 0) == 0 || l.rfind("munmap(", 0) == 0 || l.rfind("brk(", 0) == 0) ++memory;
        else if (std::regex_match(l, std::regex(R"(^[a-z_0-9]+\(.*\) += .*)"))) ++others;
        else if (l == "% time     seconds  usecs/call     calls    errors syscall") ++header;
        else if (std::regex_match(l, m, row)) rows[m[3]] = {std::stoi(m[1]), m[2].length() ? std::stoi(m[2]) : 0};
    }
    CHECK(openat == 2);  // FILE, and /nonexistent/file (open is not openat)
    CHECK(memory >= 5);
    CHECK(others == 0);
    CHECK(header == 1);
    CHECK(rows["openat"] == std::pair<int, int>{2, 1});
    CHECK(rows["mmap"].second == 1);  // the zero-length mmap: EINVAL
    CHECK(rows["munmap"].first == 1);
    CHECK(rows.count("write") == 0);  // filtered out of the table too
    CHECK(rows["total"].first == int(openat + memory));
}

TEST_CASE("-o with Ctrl-C: the file holds whole lines and the -C table, nothing half-written") {
    if (!kvm_usable()) return;
    const std::string path = "/tmp/lstar-test-strace-int-" + std::to_string(::getpid());
    // Sent once the guest runs its program (-v: "kernel enters ring 3"), which makes getpid calls
    // until the signal; --timeout only bounds a run whose signal never came.
    auto r = run_lstar_until({"-v", "run", "--init", "getpid_loop", "-o", path, "-C", "--timeout", "120", "--",
                              "100000000"},
                             "kernel enters ring 3", SIGINT);
    CHECK(r.status == 130);
    const std::string trace = slurp(path);
    REQUIRE(!trace.empty());
    CHECK(trace.back() == '\n');
    const size_t table = trace.find("% time     seconds  usecs/call     calls    errors syscall\n");
    REQUIRE(table != std::string::npos);
    for (const auto& l : lines(trace.substr(0, table))) {
        CAPTURE(l);
        CHECK((l.rfind("trace:", 0) == 0 || std::regex_match(l, std::regex(R"(getpid\(\) += 1)"))));
    }
    CHECK(std::regex_search(trace.substr(table), std::regex(R"(\n100\.00 +\d+\.\d{6} +\d+ +\d+ +total\n$)")));
    std::remove(path.c_str());
}
