// The freestanding process demos (guest/user): execve with arguments and environment, the initial
// stack's auxv, RLIMIT_NOFILE on open, RLIMIT_AS and RLIMIT_DATA on brk and mmap, RLIMIT_STACK at exec.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "lstar_process.hpp"

using namespace lstar::test;

namespace {
bool contains(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }
}  // namespace

TEST_CASE("execve: the kernel's first exec and a program's own, with argv, envp and auxv") {
    if (!kvm_usable()) return;
    auto r = run_lstar({"run", "--init", "exec_args", "--", "exec"});
    INFO(r.out);
    CHECK(r.status == 0);
    // The first image: Linux's init environment, the auxv the kernel built.
    CHECK(contains(r.out, "argv[1] = \"exec\"\nenvp[0] = \"HOME=/\"\nenvp[1] = \"TERM=linux\"\n"));
    CHECK(contains(r.out, "AT_PAGESZ = 4096\n"));
    CHECK(contains(r.out, "AT_PLATFORM = \"x86_64\"\n"));
    CHECK(contains(r.out, "AT_EXECFN = \"exec_args\"\n"));
    // The second image: what the first passed to execve, and nothing of the old one.
    const auto second = r.out.substr(r.out.find("execve(\"exec_args\""));
    CHECK(contains(second, "argc = 3\nargv[0] = \"exec_args\"\nargv[1] = \"replaced\"\nargv[2] = \"by execve\"\n"
                           "envp[0] = \"GREETING=hello from the old image\"\nenvp[1] = \"LSTAR=1\"\nAT_PAGESZ"));
    CHECK(!contains(second, "execve failed"));
    // Two user entries: the kernel's start, and execve's start_thread.
    CHECK(events(r, "user_enter").size() == 2);
    check_complete_log(r, "guest_exit");
}

TEST_CASE("RLIMIT_NOFILE: open fails with EMFILE at the soft limit set by --rlimit") {
    if (!kvm_usable()) return;
    char dir[] = "/tmp/lstar-nofile-XXXXXX";
    REQUIRE(::mkdtemp(dir));
    const std::string root = dir;
    std::filesystem::create_directories(root + "/etc");
    std::ofstream(root + "/etc/motd") << "hello from the initrd\n";
    auto r = run_lstar({"run", "--rlimit", "NOFILE=8", "--initrd", root, "--init", "nofile"});
    std::filesystem::remove_all(root);
    INFO(r.out);
    CHECK(contains(r.out, "read(/etc/motd) = 22: hello from the initrd\nread at the end = 0\n"));
    CHECK(contains(r.out, "read into a kernel address = -14\nclose = 0\n"));
    CHECK(contains(r.out, "open(a kernel address) = -14\n"));
    CHECK(contains(r.out, "write(a kernel address) = -14\n"));
    CHECK(contains(r.out, "execve(argv[0] in the kernel) = -14\n"));
    CHECK(contains(r.out, "RLIMIT_NOFILE soft 8 hard 8\n"));
    CHECK(contains(r.out, "opened 5 (last fd 7), then open() = -24\n"));  // fds 0-2 are the console
    CHECK(contains(r.out, "close(3) = 0, open() again = 3\n"));
    CHECK(contains(r.out, "setrlimit(soft > hard) = -22\n"));
    CHECK(r.status == 5);
    // Without --rlimit: Linux's default soft limit, 1024, but our table holds 256.
    r = run_lstar({"run", "--init", "nofile"}, false);
    CHECK(contains(r.out, "open(/etc/motd) = -2\n"));  // no initrd: ENOENT
    CHECK(contains(r.out, "RLIMIT_NOFILE soft 1024 hard 4096\n"));
}

TEST_CASE("RLIMIT_AS and RLIMIT_DATA stop brk and mmap with ENOMEM; RLIMIT_STACK is checked at exec") {
    if (!kvm_usable()) return;
    auto r = run_lstar({"run", "--rlimit", "AS=64M", "--init", "memlimit"}, false);
    INFO(r.out);
    // The program's own segments and stack take some of the 64 MiB; brk gets the rest.
    CHECK(contains(r.out, "brk grew by 63 MiB\n"));
    CHECK(contains(r.out, "mmap gave 0 MiB, then returned -12\n"));
    CHECK(contains(r.out, "first heap byte: 0\n"));
    r = run_lstar({"run", "--rlimit", "DATA=8M", "--init", "memlimit"}, false);
    INFO(r.out);
    CHECK(contains(r.out, "brk grew by 8 MiB\n"));  // the demo has no writable segment of its own
    CHECK(contains(r.out, "then returned -12\n"));
    r = run_lstar({"run", "--rlimit", "STACK=2K", "--init", "exec_args"}, false);
    CHECK(r.status == 126);
    CHECK(contains(r.out, "Failed to execute exec_args (error -7)"));  // E2BIG
    r = run_lstar({"run", "--rlimit", "NOFILE=9:8", "--init", "nofile"}, false);
    CHECK(r.status == 64);
    CHECK(contains(r.err, "soft limit is above the hard limit"));
}
