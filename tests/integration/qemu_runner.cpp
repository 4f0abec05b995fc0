#include "qemu_runner.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <vector>

#include "lstar_process.hpp"

extern char** environ;

namespace lstar::test {

namespace {

constexpr const char* kQemu = "qemu-system-x86_64";

// Read both pipes until EOF or the deadline; returns false on timeout. Does not close them.
bool drain(int out_fd, int err_fd, std::string& out, std::string& err, int timeout_s) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    std::string* sinks[2] = {&out, &err};
    int open_fds = 2;
    while (open_fds > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        if (poll(fds, 2, int(left.count())) < 0) continue;
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[4096];
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, size_t(n));
            } else {
                fds[i].fd = -1;  // EOF: poll ignores it from now on; run_qemu closes both
                open_fds--;
            }
        }
    }
    return true;
}

// COM1 carries both the program's bytes and the kernel's log lines, which start with "<N>".
void split_console(const std::string& com1, QemuResult& r) {
    size_t pos = 0;
    while (pos < com1.size()) {
        size_t end = com1.find('\n', pos);
        end = end == std::string::npos ? com1.size() : end + 1;
        std::string line = com1.substr(pos, end - pos);
        if (line.size() >= 3 && line[0] == '<' && line[1] >= '0' && line[1] <= '7' && line[2] == '>') {
            r.klog += line.substr(3);
            r.console += line.substr(3);
        } else {
            r.out += line;
            r.console += line;
        }
        pos = end;
    }
}

}  // namespace

bool qemu_available() { return system("command -v qemu-system-x86_64 > /dev/null 2>&1") == 0; }

bool have_qemu(const char* what) {
    if (qemu_available()) return true;
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL("qemu-system-x86_64 is not installed and CI=true");
    MESSAGE("qemu-system-x86_64 is not installed: skipping " << what);
    return false;
}

QemuResult run_qemu(const std::string& cmdline, const std::string& cpu, int timeout_s, const std::string& initrd) {
    std::vector<std::string> extra = {"-cpu", cpu};
    if (!initrd.empty()) extra.insert(extra.end(), {"-initrd", initrd});
    return run_qemu_kernel(build_dir() + "/guest/kernel.elf", cmdline, extra, timeout_s);
}

QemuResult run_qemu_kernel(const std::string& kernel, const std::string& cmdline, const std::vector<std::string>& extra,
                           int timeout_s, const std::string& accel) {
    std::vector<std::string> args = {kQemu,         "-M",         "microvm", "-accel",  accel,
                                     "-m",          "128",        "-nographic", "-no-reboot",
                                     "-nodefaults", "-serial",    "stdio",   "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                                     "-kernel",     kernel,       "-append", cmdline};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    QemuResult r;
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC)) return r;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, kQemu, &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        return r;
    }
    std::string com1;
    const bool finished = drain(out_pipe[0], err_pipe[0], com1, r.err, timeout_s);
    if (!finished) kill(pid, SIGKILL);  // the hard timeout
    int ws = 0;
    waitpid(pid, &ws, 0);
    close(out_pipe[0]);
    close(err_pipe[0]);
    r.ran = finished && WIFEXITED(ws);
    r.qemu_status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    if (r.ran && (r.qemu_status & 1)) r.status = r.qemu_status >> 1;
    split_console(com1, r);
    r.com1 = std::move(com1);
    return r;
}

}  // namespace lstar::test
