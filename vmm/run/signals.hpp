// A timeout or Ctrl-C makes KVM_RUN return: the handlers ask the vCPU for an immediate exit
// (kvm_run.immediate_exit closes the race with a signal that lands just before KVM_RUN), and the
// run loop reads which signal it was. The seccomp filter's refusal stops the guest the same way.
#pragma once
#include <signal.h>

#include "kvm/vcpu.hpp"

namespace lstar {

class SignalGuard {
public:
    // SIGINT, SIGTERM and SIGALRM (--timeout, when timeout_s > 0) for the life of the guard.
    SignalGuard(kvm::Vcpu& vcpu, double timeout_s);
    ~SignalGuard();
    SignalGuard(const SignalGuard&) = delete;
    SignalGuard& operator=(const SignalGuard&) = delete;

    static int last_signal();  // the first signal that arrived, 0 for none

private:
    struct sigaction old_[32] {};
};

// For seccomp::install: stop the guest at the next turn of the run loop.
void stop_vcpu_soon();

}  // namespace lstar
