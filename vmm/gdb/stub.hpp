// --gdb HOST:PORT: a GDB remote serial protocol stub for the guest, so that
//   gdb build/guest/kernel.elf -ex 'target remote :1234'
// can stop at entry_SYSCALL_64, read registers (segment and control registers too), read and
// write memory by guest-virtual address through the guest's page tables, set breakpoints,
// single-step, continue and interrupt with Ctrl-C. Binds to loopback by default. Breakpoints are
// hardware ones (DR0-DR3), or hlt bytes on a KVM whose debug registers do not fire
// (trace/bp_probe.hpp): gdb's `break` works the same either way.
//
// The run loop drives it: the guest starts stopped (as QEMU's -S -gdb); at every stop the stub
// serves gdb's packets until gdb resumes, then returns the debug state for the next KVM_RUN.
#pragma once
#include <linux/kvm.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kvm/exit.hpp"
#include "kvm/vcpu.hpp"
#include "memory/guest_memory.hpp"
#include "loader/elf.hpp"
#include "trace/bp_probe.hpp"

namespace lstar::gdb {

enum class StopCause {
    Start,       // before the first guest instruction
    Breakpoint,  // a breakpoint gdb set (KVM_EXIT_DEBUG)
    Step,        // a single step gdb asked for (KVM_EXIT_DEBUG)
    Interrupt,   // Ctrl-C from gdb (KVM_RUN interrupted)
};

struct Resume {
    kvm_guest_debug debug;  // install before the next KVM_RUN
    bool kill = false;      // gdb sent 'k' (or went away with the guest stopped): end the run
};

class Stub {
public:
    // Listens on "HOST:PORT" or ":PORT" (HOST defaults to 127.0.0.1). Throws std::system_error or
    // UsageError with a message that names the address. bps: the breakpoint kind this
    // KVM supports (trace::choose_breakpoints).
    // segments: the kernel image's, for a software breakpoint on code not mapped yet.
    explicit Stub(const std::string& hostport, trace::BpChoice bps = {}, std::vector<ElfSegment> segments = {});
    ~Stub();

    std::string address() const;  // "127.0.0.1:1234", for the log line that says where to connect
    void wait_for_attach();       // blocks until gdb connects

    // The guest stopped: serve gdb until it resumes. Registers are read and written through vcpu
    // (KVM_GET/SET_REGS, KVM_GET/SET_SREGS), memory through mem and the page tables at CR3.
    Resume on_stop(StopCause cause, kvm::Vcpu& vcpu, GuestMemory& mem);

    // The breakpoint address if this exit is one of gdb's software breakpoints (a hlt or an OUT,
    // trace::CodePatches::hit). The run loop then puts RIP back on it and stops with
    // StopCause::Breakpoint.
    std::optional<uint64_t> software_hit(const VmExit& e) const;

    // While the guest runs: true once gdb sent Ctrl-C (0x03). A watcher thread also calls
    // vcpu.request_immediate_exit() so that KVM_RUN comes back.
    bool interrupt_requested() const;
    void start_watching(kvm::Vcpu& vcpu);  // call before each KVM_RUN after on_stop
    void stop_watching();                  // call after each KVM_RUN

    // The descriptors the run loop uses for gdb (the connection, the watcher's eventfd): the
    // seccomp filter allows I/O on these.
    std::vector<int> descriptors() const;

    // The guest ended with this status: tell gdb ("W xx") and close.
    void on_exit(int status);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace lstar::gdb
