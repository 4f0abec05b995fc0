// What a program sees of its process under lstar, compared with the same static binary on the host:
// argv and envp byte for byte, fd 0 reading lstar's stdin to its end, fd 1 and fd 2 on lstar's
// stdout and stderr, the working directory and relative paths, dup/fcntl, rt_sigaction and
// rt_sigprocmask (tests/static/proc.c), and Debian's busybox applets that need them.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "lstar_process.hpp"

using namespace lstar::test;
namespace fs = std::filesystem;

namespace {

// An initrd directory: the programs in /bin, etc/motd, etc/dir/{a.txt,b.txt,sub/}, and a file
// for stdin beside it (not in it).
struct Root {
    fs::path dir, root, input;
    explicit Root(const std::string& stdin_text) {
        char t[] = "/tmp/lstar-proc-XXXXXX";
        dir = ::mkdtemp(t);
        root = dir / "rd";
        fs::create_directories(root / "bin");
        fs::create_directories(root / "etc/dir/sub");
        for (const char* p : {"proc", "args"}) fs::copy_file(build_dir() + "/tests/static/" + p, root / "bin" / p);
        std::ofstream(root / "etc/motd") << "first line\nsecond line, a bit longer than the first\n";
        std::ofstream(root / "etc/dir/a.txt") << "a";
        std::ofstream(root / "etc/dir/b.txt") << std::string(10000, 'b');
        input = dir / "stdin";
        std::ofstream(input, std::ios::binary) << stdin_text;
    }
    ~Root() { fs::remove_all(dir); }
};

std::string quote(const std::string& s) {  // for sh: '...' with ' as '\''
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

struct HostRun {
    std::string out, err;
    int status;
};

// argv in `cwd` with init's environment plus env, stdin from a file: stdout, stderr and status.
HostRun run_host(const fs::path& cwd, const std::vector<std::string>& env, const std::vector<std::string>& argv,
                 const fs::path& input) {
    const fs::path err_file = input.parent_path() / "host-stderr";
    std::string cmd = "cd " + quote(cwd) + " && env -i HOME=/ TERM=linux";
    for (const auto& e : env) cmd += " " + quote(e);
    for (const auto& a : argv) cmd += " " + quote(a);
    cmd += " <" + quote(input) + " 2>" + quote(err_file);
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    HostRun h;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) h.out.append(buf, n);
    const int st = ::pclose(p);
    h.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::ifstream f(err_file, std::ios::binary);
    h.err.assign(std::istreambuf_iterator<char>(f), {});
    return h;
}

Result run_guest(const Root& r, const std::vector<std::string>& env, const std::vector<std::string>& argv) {
    std::vector<std::string> args = {"-q", "run", "--initrd", r.root.string()};
    for (const auto& e : env) args.insert(args.end(), {"--env", e});
    args.push_back("--");
    args.insert(args.end(), argv.begin(), argv.end());
    return run_lstar_stdin(args, r.input.string(), false);
}

bool static_busybox() {
    std::ifstream f("/bin/busybox", std::ios::binary);
    std::string head(4096, '\0');
    f.read(head.data(), head.size());
    return f.gcount() > 0 && head.find("/lib64/ld-linux") == std::string::npos && head.starts_with("\x7f" "ELF");
}

}  // namespace

TEST_CASE("process: cwd, relative paths, dup/fcntl, signals, stdin and stderr as on the host (proc.c)") {
    if (!kvm_usable()) return;
    Root r("hello\nworld\n");
    auto host = run_host(r.root, {}, {"./bin/proc", r.root.string()}, r.input);
    REQUIRE(host.status == 0);
    auto g = run_guest(r, {}, {"/bin/proc", "/"});
    INFO("lstar stderr: " << g.err);
    CHECK(g.status == 0);
    CHECK(g.out == host.out);
    CHECK(host.out.find("stdin: 12 bytes: hello\nworld\nread(0) at the end = 0\n") != std::string::npos);
    // fd 2 is lstar's stderr, and only there.
    CHECK(host.err == "this line is on stderr\n");
    CHECK(g.err.find(host.err) != std::string::npos);
    CHECK(g.out.find("on stderr") == std::string::npos);
}

TEST_CASE("process: argv and envp reach the program byte for byte (spaces, quotes, newlines, non-ASCII)") {
    if (!kvm_usable()) return;
    Root r("");
    const std::vector<std::string> args = {"two  words", "it's \"quoted\"", "line1\nline2", "caf\xc3\xa9 \xff\xfe",
                                           "", "--", "-x", "a=b"};
    const std::vector<std::string> env = {"SPACED=a b  c", "QUOTES='\"", "NL=x\ny", "UTF=\xe2\x82\xac"};
    std::vector<std::string> argv = {"./bin/args"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto host = run_host(r.root, env, argv, r.input);
    argv[0] = "/bin/args";
    auto g = run_guest(r, env, argv);
    INFO("lstar stderr: " << g.err);
    CHECK(g.status == host.status);
    CHECK(g.out == host.out);
    CHECK(host.out.find("argv[3]=line1\nline2\n") != std::string::npos);
}

TEST_CASE("process: Debian's static busybox applets print what they print on the host") {
    if (!kvm_usable() || !static_busybox()) return;
    Root r("hello\n");
    fs::copy_file("/bin/busybox", r.root / "bin/busybox");
    const std::vector<std::vector<std::string>> cases = {
        {"sh", "-c", "echo a; echo b"},
        {"tr", "a-z", "A-Z"},
        {"cat", "etc/motd"},
        {"dd", "if=etc/motd", "bs=4", "count=3", "status=none"},
        {"stat", "-c", "%s %n", "etc/motd"},
        {"sh", "-c", "cd etc/dir && read x < ../motd; echo \"read: $x\""},  // chdir, dup2, fcntl, poll (no fork)
    };
    for (const auto& c : cases) {
        std::vector<std::string> argv = {"./bin/busybox"};
        argv.insert(argv.end(), c.begin(), c.end());
        auto host = run_host(r.root, {}, argv, r.input);
        argv[0] = "/bin/busybox";
        auto g = run_guest(r, {}, argv);
        INFO("busybox " << c[0] << ": lstar stderr: " << g.err);
        CHECK(g.status == host.status);
        CHECK(g.out == host.out);
        CHECK(!host.out.empty());
    }
    // pwd: the first program starts in /, as Linux's init.
    auto pwd = run_guest(r, {}, {"/bin/busybox", "pwd"});
    CHECK(pwd.status == 0);
    CHECK(pwd.out == "/\n");
}
