#include "lstar_process.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>

extern char** environ;

namespace lstar::test {

std::string build_dir() { return LSTAR_BUILD_ROOT; }

int run_timeout_s() {
    // LSTAR_TEST_RUN_TIMEOUT overrides; the nested tier and sanitizer builds are several times slower.
    if (const char* v = std::getenv("LSTAR_TEST_RUN_TIMEOUT")) return std::max(1, std::atoi(v));
    return 240;
}

std::string kvm_kind() {
    for (const char* m : {"kvm_intel", "kvm_amd", "kvm_pvm"})
        if (::access((std::string("/sys/module/") + m).c_str(), F_OK) == 0) return m;
    return "unknown";
}

bool kvm_usable() {
    int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

static std::string temp_log_path() {
    char tmpl[] = "/tmp/lstar-test-XXXXXX";
    int fd = ::mkstemp(tmpl);
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    ::close(fd);
    return tmpl;
}

// run_lstar_until's condition: sent once, when the output first contains the text.
static struct {
    std::string text;
    int signal = 0;
} g_signal_when;

static void signal_when_seen(pid_t pid, const Result& r) {
    if (!g_signal_when.signal) return;
    if (r.out.find(g_signal_when.text) == std::string::npos && r.err.find(g_signal_when.text) == std::string::npos)
        return;
    ::kill(pid, g_signal_when.signal);
    g_signal_when.signal = 0;
}

static std::string g_stdin_path = "/dev/null";

Result run_lstar_stdin(std::vector<std::string> args, const std::string& stdin_path, bool with_log) {
    g_stdin_path = stdin_path;
    Result r = run_lstar(std::move(args), with_log);
    g_stdin_path = "/dev/null";
    return r;
}

Result run_lstar_until(std::vector<std::string> args, const std::string& text, int signal, bool with_log) {
    g_signal_when = {text, signal};
    Result r = run_lstar(std::move(args), with_log);
    if (g_signal_when.signal) FAIL_CHECK("lstar never printed \"" << text << "\": no signal sent");
    g_signal_when = {};
    return r;
}

// Where a process that ran past its limit is: its state, its kernel wait channel and, for root, its
// kernel stack (inside KVM_RUN, or elsewhere), so that a hang says what hung.
static std::string where_stuck(pid_t pid) {
    std::string text;
    for (const char* what : {"wchan", "stack", "syscall"}) {
        std::ifstream f("/proc/" + std::to_string(pid) + "/" + what);
        std::string body((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        if (!body.empty()) text += std::string("/proc/PID/") + what + ": " + body + (body.back() == '\n' ? "" : "\n");
    }
    return text;
}

Result run_lstar(std::vector<std::string> args, bool with_log, int send_signal, int signal_after_ms) {
    std::string log_path;
    if (with_log) {
        log_path = temp_log_path();
        // Global options go before the subcommand; --exit-log belongs to `run`.
        auto it = std::find(args.begin(), args.end(), "run");
        if (it != args.end()) args.insert(it + 1, {"--exit-log", log_path});
    }
    std::vector<std::string> full = {std::string(LSTAR_BUILD_ROOT) + "/vmm/cli/lstar"};
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : full) argv.push_back(a.data());
    argv.push_back(nullptr);

    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, g_stdin_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    pid_t pid;
    if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0)
        throw std::runtime_error("cannot start " + full[0]);
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    ::close(err[1]);

    Result r;
    const auto start = std::chrono::steady_clock::now();
    // Every run has a deadline: past it lstar gets SIGTERM, 5 s later SIGKILL, and a child that
    // still does not end is reported by this test's name instead of stalling the whole suite.
    const auto limit = std::chrono::seconds(run_timeout_s());
    auto deadline = start + limit;
    int stage = 0;  // 0 running, 1 SIGTERM sent, 2 SIGKILL sent
    bool signalled = send_signal == 0;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        auto now = std::chrono::steady_clock::now();
        auto until = deadline;
        if (!signalled) until = std::min(until, start + std::chrono::milliseconds(signal_after_ms));
        int timeout = int(std::max<long long>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count()));
        ::poll(fds, 2, timeout);
        // Checked after every wake-up, not only on poll's timeout: a guest flooding its output
        // keeps the pipes readable all the time.
        now = std::chrono::steady_clock::now();
        if (!signalled && now >= start + std::chrono::milliseconds(signal_after_ms)) {
            ::kill(pid, send_signal);
            signalled = true;
        }
        if (now >= deadline) {
            if (stage == 2) break;  // SIGKILL did not end it either: give up on this child
            if (stage == 0) r.hung_where = where_stuck(pid);
            ::kill(pid, stage == 0 ? SIGTERM : SIGKILL);
            ++stage;
            deadline = now + std::chrono::seconds(5);
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[4096];
            ssize_t k = ::read(fds[i].fd, buf, sizeof buf);
            if (k <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            } else {
                (i == 0 ? r.out : r.err).append(buf, size_t(k));
                signal_when_seen(pid, r);
            }
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) ::close(f.fd);
    std::string cmdline;
    for (auto& a : full) cmdline += (cmdline.empty() ? "" : " ") + a;
    int ws = 0;
    if (stage > 0) {
        r.timed_out = true;
        FAIL_CHECK("lstar ran past the test's limit of " << limit.count() << " s and was sent "
                   << (stage == 1 ? "SIGTERM" : "SIGTERM, then SIGKILL") << ": " << cmdline << "\n"
                   << r.hung_where << "stderr so far:\n" << r.err);
    }
    pid_t reaped = ::waitpid(pid, &ws, stage == 2 && open_fds > 0 ? WNOHANG : 0);
    if (reaped == 0) {
        FAIL_CHECK("lstar did not end even after SIGKILL (left behind as pid " << pid << "): " << cmdline);
        r.status = -1;
    } else {
        r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    }

    if (with_log) {
        std::ifstream f(log_path);
        std::string line;
        int n = 0;
        while (std::getline(f, line)) {
            ++n;
            try {
                r.log.push_back(nlohmann::json::parse(line));
            } catch (const std::exception& e) {
                r.log_error = "line " + std::to_string(n) + " is not JSON: " + e.what();
                break;
            }
        }
        ::unlink(log_path.c_str());
    }
    return r;
}

uint64_t hex(const nlohmann::json& j) { return std::stoull(j.get<std::string>(), nullptr, 16); }

void check_complete_log(const Result& r, const char* reason) {
    CHECK(r.log_error == "");
    REQUIRE(!r.log.empty());
    CHECK(r.log.front()["type"] == "setup");
    CHECK(r.log.front().value("schema", 0) == 1);  // the version docs/exit-log.md describes
    CHECK(r.log.back()["type"] == "end");
    CHECK(r.log.back()["reason"] == reason);
}

std::vector<nlohmann::json> records(const Result& r, const std::string& type) {
    std::vector<nlohmann::json> v;
    for (auto& j : r.log)
        if (j.value("type", "") == type) v.push_back(j);
    return v;
}

std::vector<nlohmann::json> events(const Result& r, const std::string& event) {
    std::vector<nlohmann::json> v;
    for (auto& j : r.log)
        if (j.value("type", "") == "event" && j.value("event", "") == event) v.push_back(j);
    return v;
}

}  // namespace lstar::test
