// Unmodified static glibc programs (tests/static, built by the host's gcc -static) run under lstar
// from an initrd, and print what the same binaries print on the host. The initrd is a directory
// the monitor packs (cpio newc) on each run.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lstar_process.hpp"
#include "qemu_runner.hpp"

using namespace lstar::test;
namespace fs = std::filesystem;

namespace {

std::string static_dir() { return build_dir() + "/tests/static"; }

// A directory tree for --initrd: the programs in /bin, a text file and a directory in /etc.
struct Initrd {
    fs::path root;
    Initrd() {
        char t[] = "/tmp/lstar-rd-XXXXXX";
        root = ::mkdtemp(t);
        fs::create_directories(root / "bin");
        fs::create_directories(root / "etc/dir");
        for (const char* p : {"hello", "hello-pie", "readfile", "listdir", "bigmalloc", "args", "sort", "rlimit",
                              "exitcode", "clock"})
            fs::copy_file(static_dir() + "/" + p, root / "bin" / p);
        std::ofstream(root / "etc/motd") << "first line\nsecond line, a bit longer than the first\n\nlast\n";
        std::ofstream(root / "etc/dir/a.txt") << "a";
        std::ofstream(root / "etc/dir/b.txt") << std::string(10000, 'b');
        fs::create_directories(root / "etc/dir/sub");
    }
    ~Initrd() { fs::remove_all(root); }
};

// Run a host program with the environment Linux gives init (HOME=/ TERM=linux): its stdout and status.
std::pair<std::string, int> run_host(const std::vector<std::string>& argv) {
    std::string cmd = "env -i HOME=/ TERM=linux";
    for (const auto& a : argv) cmd += " '" + a + "'";
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    int st = ::pclose(p);
    return {out, WIFEXITED(st) ? WEXITSTATUS(st) : -1};
}

// The same program, with the same arguments, on the host and under lstar; returns lstar's result.
Result run_both(const Initrd& rd, const std::string& prog, const std::vector<std::string>& guest_args,
                const std::vector<std::string>& host_args) {
    std::vector<std::string> h = {(rd.root / "bin" / prog).string()};
    h.insert(h.end(), host_args.begin(), host_args.end());
    auto [host_out, host_status] = run_host(h);
    std::vector<std::string> g = {"run", "--initrd", rd.root.string(), "--", "/bin/" + prog};
    g.insert(g.end(), guest_args.begin(), guest_args.end());
    Result r = run_lstar(g);
    INFO("lstar stderr: " << r.err);
    CHECK(r.status == host_status);
    CHECK(r.out == host_out);
    CHECK(!host_out.empty() + (prog == "exitcode") >= 1);
    return r;
}

// A newc archive as `find . | cpio -o -H newc` writes it: file data only 4-byte aligned, so the
// kernel must copy pages instead of mapping them.
std::string unaligned_newc(const fs::path& root) {
    std::string out;
    unsigned ino = 1;
    auto entry = [&](const std::string& name, unsigned mode, const std::string& data) {
        char h[111];
        std::snprintf(h, sizeof h, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino++, mode, 0u, 0u,
                      1u, 0u, unsigned(data.size()), 0u, 0u, 0u, 0u, unsigned(name.size() + 1), 0u);
        out += std::string(h, 110) + name + '\0';
        out.resize((out.size() + 3) & ~size_t(3), '\0');
        out += data;
        out.resize((out.size() + 3) & ~size_t(3), '\0');
    };
    std::vector<fs::path> paths;
    for (auto& e : fs::recursive_directory_iterator(root)) paths.push_back(e.path());
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) {
        const std::string name = "./" + p.lexically_relative(root).generic_string();
        if (fs::is_directory(p)) {
            entry(name, 0040755, "");
        } else {
            std::ifstream f(p, std::ios::binary);
            entry(name, 0100000 | (unsigned(fs::status(p).permissions()) & 07777),
                  std::string(std::istreambuf_iterator<char>(f), {}));
        }
    }
    entry("TRAILER!!!", 0, "");
    return out;
}

std::vector<std::string> syscall_names(const Result& r) {
    std::vector<std::string> v;
    for (const auto& e : events(r, "syscall_enter")) v.push_back(e.value("name", ""));
    return v;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
    for (const auto& x : v)
        if (x == s) return true;
    return false;
}

}  // namespace

TEST_CASE("static glibc: printf hello, ET_EXEC and static-pie, same output as on the host") {
    if (!kvm_usable()) return;
    Initrd rd;
    auto r = run_both(rd, "hello", {}, {});
    check_complete_log(r, "guest_exit");
    auto names = syscall_names(r);
    // glibc's start-up: TLS through arch_prctl, the heap through brk, then the write.
    CHECK(has(names, "arch_prctl"));
    CHECK(has(names, "brk"));
    CHECK(has(names, "write"));
    CHECK(has(names, "exit_group"));
    run_both(rd, "hello-pie", {}, {});
    // The same program through the PVH boot path (BootInfo via lstar.bootinfo=) and under PTI.
    for (const char* opt : {"--msr-setup=guest", "--entry=pti"}) {
        auto o = run_lstar({"run", opt, "--initrd", rd.root.string(), "--", "/bin/hello"}, false);
        INFO(opt << ": " << o.err);
        CHECK(o.status == 0);
        CHECK(o.out.find("Hello from glibc's printf, 2 + 3 = 5\n") != std::string::npos);
    }
}

TEST_CASE("static glibc: fopen/fgets, opendir/readdir, argv and environ") {
    if (!kvm_usable()) return;
    Initrd rd;
    auto r = run_both(rd, "readfile", {"/etc/motd"}, {(rd.root / "etc/motd").string()});
    CHECK(has(syscall_names(r), "openat"));
    CHECK(r.out.find("4 lines") != std::string::npos);
    r = run_both(rd, "listdir", {"/etc/dir"}, {(rd.root / "etc/dir").string()});
    CHECK(has(syscall_names(r), "getdents64"));
    CHECK(r.out.find("sub d") != std::string::npos);
    run_both(rd, "args", {"one", "two=2", "three"}, {"one", "two=2", "three"});
}

TEST_CASE("static glibc: a 64 MiB malloc, qsort, rlimits with EMFILE, the exit status") {
    if (!kvm_usable()) return;
    Initrd rd;
    auto r = run_both(rd, "bigmalloc", {}, {});
    CHECK(has(syscall_names(r), "mmap"));
    CHECK(has(syscall_names(r), "munmap"));
    run_both(rd, "sort", {}, {});
    r = run_both(rd, "rlimit", {"/etc/motd"}, {(rd.root / "etc/motd").string()});
    CHECK(r.out.find("Too many open files") != std::string::npos);
    CHECK(has(syscall_names(r), "prlimit64"));
    r = run_both(rd, "exitcode", {"42"}, {"42"});
    CHECK(r.status == 42);
}

TEST_CASE("initrd: errors are clear, and a program that is not static is refused with ENOEXEC") {
    if (!kvm_usable()) return;
    Initrd rd;
    auto r = run_lstar({"run", "--initrd", "/nonexistent/rd", "--", "/bin/hello"}, false);
    CHECK(r.status == 65);
    CHECK(r.err.find("no such file or directory") != std::string::npos);
    std::ofstream(rd.root / "bad.cpio") << "070701 this is not a cpio archive";
    r = run_lstar({"run", "--initrd", (rd.root / "bad.cpio").string(), "--", "/bin/hello"}, false);
    CHECK(r.status == 65);
    CHECK(r.err.find("not a valid cpio newc archive") != std::string::npos);
    std::ofstream(rd.root / "etc/big", std::ios::binary) << std::string(14u << 20, 'x');
    r = run_lstar({"run", "-m", "16", "--initrd", rd.root.string(), "--", "/bin/hello"}, false);
    CHECK(r.status == 65);
    CHECK(r.err.find("does not fit in guest RAM (16 MiB)") != std::string::npos);
    fs::remove(rd.root / "etc/big");
    // A dynamically linked program: PT_INTERP.
    fs::copy_file("/bin/true", rd.root / "bin/dyn");
    r = run_lstar({"run", "--initrd", rd.root.string(), "--", "/bin/dyn"});
    CHECK(r.status == 126);
    CHECK(r.out.find("PT_INTERP") != std::string::npos);  // the kernel's log is console output
    r = run_lstar({"run", "--initrd", rd.root.string(), "--", "/bin/missing"});
    CHECK(r.status == 127);
}

TEST_CASE("static glibc: from an unaligned cpio archive (pages copied), under lstar and under QEMU TCG") {
    if (!kvm_usable()) return;
    Initrd rd;
    const auto cpio = rd.root.string() + ".cpio";
    std::ofstream(cpio, std::ios::binary) << unaligned_newc(rd.root);
    auto r = run_lstar({"run", "--initrd", cpio, "--", "/bin/args", "a", "b"}, false);
    CHECK(r.status == 0);
    CHECK(r.out == "argc=3\nargv[1]=a\nargv[2]=b\nenv: HOME=/\nenv: TERM=linux\n");
    r = run_lstar({"run", "--initrd", cpio, "--", "/bin/readfile", "/etc/motd"}, false);
    CHECK(r.out.find("4 lines") != std::string::npos);
    // The reference CPU: QEMU passes the archive as PVH's first module.
    if (have_qemu()) {
        auto q = run_qemu("init=/bin/args -- a b", "max", 120, cpio);
        INFO(q.err);
        CHECK(q.status == 0);
        CHECK(q.out == "argc=3\nargv[1]=a\nargv[2]=b\nenv: HOME=/\nenv: TERM=linux\n");
    }
    fs::remove(cpio);
}

TEST_CASE("static glibc: clock_gettime and gettimeofday go to the vDSO, with no system call") {
    Initrd rd;
    Result r = run_both(rd, "clock", {"500"}, {"500"});
    CHECK(r.out.find("vdso: present") != std::string::npos);
    CHECK(r.out.find("time went forward: yes") != std::string::npos);
    // 1001 clock_gettime and 500 gettimeofday calls, and time(): none of them reaches the kernel.
    auto names = syscall_names(r);
    CHECK(!names.empty());
    CHECK(!has(names, "clock_gettime"));
    CHECK(!has(names, "gettimeofday"));
    CHECK(!has(names, "time"));
}
