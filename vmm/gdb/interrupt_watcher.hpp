// Ctrl-C while the guest runs. gdb sends a lone 0x03 byte and nothing else until it gets a stop
// reply, so a thread polls the socket during each KVM_RUN; when the 0x03 comes it pulls the vCPU
// out of KVM_RUN and the run loop calls Stub::on_stop(Interrupt).
#pragma once
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "kvm/vcpu.hpp"

namespace lstar::gdb {

class InterruptWatcher {
public:
    explicit InterruptWatcher(int sock);
    ~InterruptWatcher();  // wakes and joins the thread
    InterruptWatcher(const InterruptWatcher&) = delete;
    InterruptWatcher& operator=(const InterruptWatcher&) = delete;

    void start(kvm::Vcpu& vcpu);  // on the vCPU thread, before KVM_RUN
    void stop();                  // after KVM_RUN: from now on the socket belongs to the stub again
    bool interrupted() const { return interrupted_; }
    bool peer_gone() const { return peer_gone_; }
    void clear() { interrupted_ = false; }
    int wake_fd() const { return wake_fd_; }

private:
    void loop();
    void kick();  // with mu_ held and watching_ set

    int sock_;
    int wake_fd_ = -1;  // eventfd: wakes the thread out of poll() to quit
    std::mutex mu_;
    std::condition_variable cv_;
    bool watching_ = false, quiet_ = false, quit_ = false, started_ = false;
    kvm::Vcpu* vcpu_ = nullptr;
    pthread_t vcpu_thread_{};
    std::atomic<bool> interrupted_{false}, peer_gone_{false};
    struct sigaction old_kick_ {};
    std::thread thread_;
};

}  // namespace lstar::gdb
