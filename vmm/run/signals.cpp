#include "run/signals.hpp"

#include <sys/time.h>

#include <atomic>

namespace lstar {

namespace {

std::atomic<int> g_signal{0};
kvm::Vcpu* g_vcpu = nullptr;

void on_signal(int sig) {
    int expected = 0;
    g_signal.compare_exchange_strong(expected, sig);
    if (g_vcpu) g_vcpu->request_immediate_exit();
}

}  // namespace

void stop_vcpu_soon() {
    if (g_vcpu) g_vcpu->request_immediate_exit();
}

SignalGuard::SignalGuard(kvm::Vcpu& vcpu, double timeout_s) {
    g_signal = 0;
    g_vcpu = &vcpu;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: KVM_RUN must come back with EINTR
    for (int s : {SIGINT, SIGTERM, SIGALRM}) sigaction(s, &sa, &old_[s]);
    if (timeout_s > 0) {
        itimerval it{};
        it.it_value.tv_sec = time_t(timeout_s);
        it.it_value.tv_usec = suseconds_t((timeout_s - double(time_t(timeout_s))) * 1e6);
        if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0) it.it_value.tv_usec = 1;
        setitimer(ITIMER_REAL, &it, nullptr);
    }
}

SignalGuard::~SignalGuard() {
    itimerval off{};
    setitimer(ITIMER_REAL, &off, nullptr);
    for (int s : {SIGINT, SIGTERM, SIGALRM}) sigaction(s, &old_[s], nullptr);
    g_vcpu = nullptr;
}

int SignalGuard::last_signal() { return g_signal.load(); }

}  // namespace lstar
