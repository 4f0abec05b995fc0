#include "gdb/interrupt_watcher.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace lstar::gdb {

namespace {
// KVM_RUN only looks at kvm_run.immediate_exit when it is entered. On this host ring-3 guest code
// runs natively and a spinning user program causes no exits at all, so a signal must interrupt the
// KVM_RUN in progress. SIGUSR2: the run loop's own handlers (SIGINT, SIGTERM, SIGALRM) would record
// a signal that never came. SA_RESTART: KVM_RUN still returns EINTR (KVM does not restart it), and
// a kick that lands elsewhere cannot fail a write() of the guest's output.
constexpr int kKickSignal = SIGUSR2;
void on_kick(int) {}
}  // namespace

InterruptWatcher::InterruptWatcher(int sock) : sock_(sock) {
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "gdb stub: eventfd");
    struct sigaction sa {};
    sa.sa_handler = on_kick;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(kKickSignal, &sa, &old_kick_);
    thread_ = std::thread([this] { loop(); });
    // Wait until the thread runs: its start-up system calls (rseq, set_robust_list) must not land
    // after the run loop's seccomp filter (docs/seccomp.md).
    std::unique_lock lk(mu_);
    cv_.wait(lk, [this] { return started_; });
}

InterruptWatcher::~InterruptWatcher() {
    {
        std::lock_guard lk(mu_);
        quit_ = true;
    }
    cv_.notify_one();
    uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
    thread_.join();
    ::close(wake_fd_);
    sigaction(kKickSignal, &old_kick_, nullptr);
}

void InterruptWatcher::start(kvm::Vcpu& vcpu) {
    {
        std::lock_guard lk(mu_);
        vcpu_ = &vcpu;
        vcpu_thread_ = pthread_self();
        watching_ = true;
        quiet_ = false;
    }
    cv_.notify_one();
}

// No wake-up needed: the thread may sit in poll() until the stub reads the socket, but it only
// takes a byte after re-checking watching_ under mu_, which this clears.
void InterruptWatcher::stop() {
    std::lock_guard lk(mu_);
    watching_ = false;
}

void InterruptWatcher::kick() {
    vcpu_->request_immediate_exit();  // for a KVM_RUN not yet entered
    pthread_kill(vcpu_thread_, kKickSignal);  // for the one in progress
}

void InterruptWatcher::loop() {
    std::unique_lock lk(mu_);
    started_ = true;
    cv_.notify_all();
    for (;;) {
        // Sleep (no polling) while the stub owns the socket, or after a byte we must not take.
        cv_.wait(lk, [this] { return quit_ || (watching_ && !quiet_); });
        if (quit_) return;
        lk.unlock();
        pollfd fds[2] = {{sock_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        int n = ::poll(fds, 2, -1);
        lk.lock();
        if (quit_) return;
        if (n < 0) {
            if (errno != EINTR) quiet_ = true;
            continue;
        }
        if (!watching_ || !(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        char c;
        ssize_t r = ::recv(sock_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (r <= 0) {  // gdb went away while the guest runs: stop it, on_stop ends the run
            peer_gone_ = true;
            quiet_ = true;
            kick();
        } else if (c == '\x03') {
            (void)!::recv(sock_, &c, 1, MSG_DONTWAIT);
            interrupted_ = true;
            kick();
        } else {
            quiet_ = true;  // not ours: leave it for the stub's next on_stop
        }
    }
}

}  // namespace lstar::gdb
