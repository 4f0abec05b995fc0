// --gdb: a real gdb, scripted, against a real VM; and a few raw protocol exchanges gdb itself never
// makes (a continue from an armed breakpoint, Ctrl-C into a spinning user program).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "lstar_process.hpp"

extern char** environ;

using namespace lstar::test;

namespace {

std::string temp_path() {
    char tmpl[] = "/tmp/lstar-gdb-test-XXXXXX";
    int fd = ::mkstemp(tmpl);
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    ::close(fd);
    return tmpl;
}

std::string slurp(const std::string& path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// A child with stdout and stderr in files, so that nobody has to drain pipes while gdb runs.
struct Child {
    pid_t pid = -1;
    std::string out_path = temp_path(), err_path = temp_path();

    explicit Child(std::vector<std::string> argv) {
        std::vector<char*> a;
        for (auto& s : argv) a.push_back(s.data());
        a.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_TRUNC, 0);
        posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_TRUNC, 0);
        int rc = posix_spawn(&pid, a[0], &fa, nullptr, a.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
    }
    ~Child() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
        ::unlink(out_path.c_str());
        ::unlink(err_path.c_str());
    }
    // The exit status (128 + signal if killed); killed after timeout_ms if still running.
    int wait(int timeout_ms) {
        auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        int ws = 0;
        while (::waitpid(pid, &ws, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > end) {
                ::kill(pid, SIGKILL);
                ::waitpid(pid, &ws, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        pid = -1;
        return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    }
    std::string out() const { return slurp(out_path); }
    std::string err() const { return slurp(err_path); }
};

// lstar run --gdb :0 (any free loopback port), and the port it printed once it listens.
int start_lstar(Child& c) {
    std::regex listening(R"(waiting for gdb on 127\.0\.0\.1:(\d+))");
    for (int i = 0; i < 1000; ++i) {
        std::smatch m;
        std::string err = c.err();
        if (std::regex_search(err, m, listening)) return std::stoi(m[1]);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL("lstar did not start listening: " << c.err());
    return -1;
}

std::vector<std::string> lstar_argv(std::vector<std::string> run_args) {
    // lstar's own timeout is the safety net behind each test's waits, not a bound on them: the
    // sanitizer build in the nested tier on a loaded machine needed more than 60 s for the Ctrl-C case.
    std::vector<std::string> v = {build_dir() + "/vmm/cli/lstar", "run", "--gdb", ":0", "--timeout", "300"};
    v.insert(v.end(), run_args.begin(), run_args.end());
    return v;
}

std::string kernel_elf() { return build_dir() + "/guest/kernel.elf"; }

// The breakpoint kind lstar said gdb's breakpoints are on this KVM: "hardware" (DR0-DR3) or
// "software" (hlt bytes, where DR breakpoints do not fire); "" when it said neither.
std::string breakpoint_kind(const std::string& err) {
    std::smatch m;
    if (!std::regex_search(err, m, std::regex(R"(gdb: breakpoints are (hardware|software) )"))) return "";
    return m[1];
}

std::string run_gdb(int port, const std::vector<std::string>& commands) {
    std::vector<std::string> argv = {"/usr/bin/gdb", "-batch", "-nx", kernel_elf(), "-ex",
                                     "target remote 127.0.0.1:" + std::to_string(port)};
    for (auto& c : commands) argv.insert(argv.end(), {"-ex", c});
    Child gdb(argv);
    gdb.wait(60000);
    return gdb.out() + gdb.err();
}

// The address gdb finds for a kernel symbol, from the ELF alone.
uint64_t symbol_address(const std::string& name) {
    Child gdb({"/usr/bin/gdb", "-batch", "-nx", kernel_elf(), "-ex", "p/x (long)&" + name});
    gdb.wait(30000);
    std::smatch m;
    std::string out = gdb.out();
    REQUIRE(std::regex_search(out, m, std::regex(R"(= (0x[0-9a-f]+))")));
    return std::stoull(m[1], nullptr, 16);
}

// Just enough of the remote protocol to say what gdb would not.
struct RspClient {
    int fd = -1;
    explicit RspClient(int port) {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(uint16_t(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~RspClient() { ::close(fd); }
    void send_raw(const std::string& s) { REQUIRE(::send(fd, s.data(), s.size(), MSG_NOSIGNAL) == ssize_t(s.size())); }
    void send(const std::string& payload) {
        unsigned sum = 0;
        for (char c : payload) sum += uint8_t(c);
        char tail[4];
        std::snprintf(tail, sizeof tail, "#%02x", sum & 0xff);
        send_raw("$" + payload + tail);
    }
    // The next packet's payload (acknowledged), skipping acks.
    std::string reply() {
        std::string buf;
        char c;
        while (::recv(fd, &c, 1, 0) == 1) {
            if (buf.empty() && c != '$') continue;
            buf += c;
            if (buf.size() >= 4 && buf[buf.size() - 3] == '#') {
                send_raw("+");
                return buf.substr(1, buf.size() - 4);
            }
        }
        return "<closed>";
    }
    std::string command(const std::string& payload) {
        send(payload);
        return reply();
    }
};

std::string hex_le(uint64_t v) {  // a register's value as 'p' returns it
    char b[17];
    std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(__builtin_bswap64(v)));
    return b;
}

}  // namespace

TEST_CASE("a scripted gdb breaks at entry_SYSCALL_64, reads registers, steps, and lets the guest finish") {
    Child lstar(lstar_argv({"--init", "getpid"}));
    int port = start_lstar(lstar);
    std::string g = run_gdb(port, {"hbreak entry_SYSCALL_64", "continue", "info registers rax", "p/x $cs", "p/x $cr3",
                                   "x/3i $pc", "stepi", "info registers rip", "delete", "continue"});
    INFO("gdb said:\n" << g);
    int status = lstar.wait(60000);
    INFO("lstar said:\n" << lstar.err());

    CHECK(g.find("Breakpoint 1, entry_SYSCALL_64 ()") != std::string::npos);
    // The getpid program's first syscall is getpid: RAX = __NR_getpid = 39.
    CHECK(std::regex_search(g, std::regex(R"(rax\s+0x27\s+39)")));
    CHECK(g.find("$1 = 0x10") != std::string::npos);  // CPL 0: the kernel's code segment
    std::smatch cr3;
    CHECK(std::regex_search(g, cr3, std::regex(R"(\$2 = 0x([0-9a-f]+))")));
    if (!cr3.empty()) CHECK(std::stoull(cr3[1], nullptr, 16) != 0);

    // x/3i: "=> 0xA <entry_SYSCALL_64>:\tswapgs", then the next two instructions.
    std::regex insn(R"((?:=>|  ) 0x([0-9a-f]+) <entry_SYSCALL_64(?:\+\d+)?>:\s+(\S+))");
    std::vector<uint64_t> at;
    std::vector<std::string> mnemonic;
    for (std::sregex_iterator it(g.begin(), g.end(), insn), end; it != end; ++it) {
        at.push_back(std::stoull((*it)[1], nullptr, 16));
        mnemonic.push_back((*it)[2]);
    }
    REQUIRE(at.size() == 3);
    std::smatch rip;
    REQUIRE(std::regex_search(g, rip, std::regex(R"(rip\s+0x([0-9a-f]+))")));
    uint64_t after = std::stoull(rip[1], nullptr, 16);
    // One instruction on. Except after swapgs on this project's KVM (kvm_pvm): its emulator runs
    // swapgs together with the instruction after it in one single step (the tracer sees the same,
    // docs/tracing.md), so the step ends one instruction further.
    if (mnemonic[0] == "swapgs")
        CHECK((after == at[1] || after == at[2]));
    else
        CHECK(after == at[1]);

    CHECK(g.find("exited normally") != std::string::npos);
    CHECK(status == 0);
    CHECK(lstar.out() == "getpid() = 1\n");
}

TEST_CASE("continue from an armed breakpoint stops at the next syscall, not at the same one again") {
    // gdb steps over a breakpoint itself before continuing; a client that does not relies on the
    // stub's own disarm-step-rearm (this host re-fires a breakpoint the vCPU resumes at).
    uint64_t entry = symbol_address("entry_SYSCALL_64");
    Child lstar(lstar_argv({"--init", "getpid"}));
    RspClient gdb(start_lstar(lstar));
    char z[64];
    std::snprintf(z, sizeof z, "Z1,%llx,1", static_cast<unsigned long long>(entry));
    CHECK(gdb.command("?") == "T05thread:01;");
    CHECK(gdb.command(z) == "OK");
    // The stop reply names the kind lstar said it uses: hwbreak for DR0-DR3, swbreak for hlt bytes.
    std::string kind = breakpoint_kind(lstar.err());
    INFO("lstar said:\n" << lstar.err());
    REQUIRE((kind == "hardware" || kind == "software"));
    std::string stop = kind == "hardware" ? "T05hwbreak:;thread:01;" : "T05swbreak:;thread:01;";
    // getpid, then write (the output), then exit_group.
    for (uint64_t nr : {39, 1, 231}) {
        CHECK(gdb.command("c") == stop);
        CHECK(gdb.command("p10") == hex_le(entry));  // RIP
        CHECK(gdb.command("p0") == hex_le(nr));      // RAX
    }
    CHECK(gdb.command("c") == "W00");
    CHECK(lstar.wait(60000) == 0);
    CHECK(lstar.out() == "getpid() = 1\n");
}

TEST_CASE("Ctrl-C stops a user program that never leaves ring 3, and 'k' ends the run") {
    auto argv = lstar_argv({"--init", "spin"});
    argv.insert(argv.begin() + 1, "-v");  // "kernel enters ring 3": the point to wait for
    Child lstar(argv);
    RspClient gdb(start_lstar(lstar));
    gdb.send("c");
    // Ctrl-C once the kernel has entered the program, not after a delay a slower KVM may not meet.
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (lstar.err().find("kernel enters ring 3") == std::string::npos && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE_MESSAGE(lstar.err().find("kernel enters ring 3") != std::string::npos, lstar.err());
    // The narration line comes from the kernel just before its iretq, so on a loaded machine the
    // first Ctrl-C can still land in ring 0: then continue and interrupt again, a bounded number of
    // times. The claim is that a Ctrl-C reaches the program once it runs, not where the first lands.
    std::string cs;
    for (int attempt = 0; attempt < 20 && cs != "33000000"; ++attempt) {
        if (attempt > 0) gdb.send("c");
        gdb.send_raw("\x03");
        REQUIRE(gdb.reply() == "T02thread:01;");  // SIGINT
        cs = gdb.command("p12");
    }
    CHECK(cs == "33000000");  // CS: caught in user mode
    CHECK(gdb.command("m0,8") == "E14");      // nothing is mapped at 0
    gdb.send("k");
    CHECK(lstar.wait(60000) == 130);  // as a Ctrl-C in the terminal (docs/exit-status.md)
}

TEST_CASE("gdb's break (Z0) stops at every syscall on any KVM, and gdb reads the guest's bytes, not a breakpoint byte") {
    // Where DR breakpoints do not fire, break becomes a hlt byte in guest memory: it must be out of
    // memory while gdb looks (x/2xb shows swapgs's 0f 01) and back in when the guest runs on.
    Child lstar(lstar_argv({"--init", "getpid"}));
    int port = start_lstar(lstar);
    std::string g = run_gdb(port, {"break entry_SYSCALL_64", "continue", "x/2xb $pc", "p $rax", "continue",
                                   "p $rax", "delete", "continue"});
    INFO("gdb said:\n" << g);
    int status = lstar.wait(60000);
    INFO("lstar said:\n" << lstar.err());
    std::string kind = breakpoint_kind(lstar.err());
    CHECK((kind == "hardware" || kind == "software"));
    CHECK(g.find("Breakpoint 1, entry_SYSCALL_64 ()") != std::string::npos);
    CHECK(std::regex_search(g, std::regex(R"(<entry_SYSCALL_64>:\s+0x0f\s+0x01)")));
    CHECK(g.find("$1 = 39") != std::string::npos);  // getpid
    CHECK(g.find("$2 = 1") != std::string::npos);   // write
    CHECK(g.find("exited normally") != std::string::npos);
    CHECK(status == 0);
    CHECK(lstar.out() == "getpid() = 1\n");
}
