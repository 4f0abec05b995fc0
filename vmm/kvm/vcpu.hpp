// A vCPU: its descriptor, the shared kvm_run page, register and MSR access, and KVM_RUN.
#pragma once
#include <linux/kvm.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "kvm/exit.hpp"
#include "kvm/fd.hpp"

namespace lstar::kvm {

class Vcpu {
public:
    Vcpu(Fd fd, int mmap_size);
    ~Vcpu();
    Vcpu(const Vcpu&) = delete;
    Vcpu& operator=(const Vcpu&) = delete;

    int fd() const { return fd_.get(); }
    kvm_run& run_page() { return *run_; }
    size_t run_size() const { return size_t(mmap_size_); }

    kvm_regs get_regs() const;
    void set_regs(const kvm_regs& r);
    kvm_sregs get_sregs() const;
    void set_sregs(const kvm_sregs& s);
    void set_cpuid(const std::vector<kvm_cpuid_entry2>& entries);

    // KVM_SET_MSRS / KVM_GET_MSRS return how many MSRs they processed: anything short of all
    // of them is an error naming the first MSR that was not.
    void set_msrs(const std::vector<std::pair<uint32_t, uint64_t>>& msrs);
    std::vector<uint64_t> get_msrs(const std::vector<uint32_t>& indices) const;

    // Enter the guest until the next exit. Registers come back in VmExit::cpu (sync regs).
    VmExit run();
    // Whether KVM also copies the segment and control registers out at every exit (read at each
    // KVM_RUN). It costs about 3% of a port-I/O exit round trip on kvm_pvm; a run that logs
    // nothing needs them only at the exits that look at the guest's state.
    void sync_sregs(bool on) {
        run_->kvm_valid_regs = KVM_SYNC_X86_REGS | (on ? KVM_SYNC_X86_SREGS : 0);
    }

    void set_guest_debug(const kvm_guest_debug& dbg);

    // Finish a trapped RDMSR/WRMSR on the next run(): the value a RDMSR returns, or a #GP.
    // Complete an IN (every element gets value) or an MMIO read the monitor served; bytes: the
    // whole IN data area of a (rep) IN, for a device that answers byte by byte.
    void complete_io_read(const VmExit& exit, uint64_t value);
    void complete_io_read_bytes(const VmExit& exit, const std::vector<uint8_t>& bytes);
    void complete_msr(uint64_t data, bool inject_gp) {
        run_->msr.data = data;
        run_->msr.error = inject_gp ? 1 : 0;
    }

    // Let KVM finish the instruction of the last exit (an OUT, an MMIO write: it moves RIP past
    // it) without entering the guest: KVM_RUN with immediate_exit (KVM's api.rst). Then KVM_SET_REGS
    // may put RIP anywhere, and no later KVM_RUN skips an instruction the guest never ran.
    void finish_pending_io();

    // Async-signal-safe: make the current or next KVM_RUN return at once.
    void request_immediate_exit() { __atomic_store_n(&run_->immediate_exit, 1, __ATOMIC_SEQ_CST); }

private:
    Fd fd_;
    kvm_run* run_ = nullptr;
    int mmap_size_ = 0;
};

}  // namespace lstar::kvm
