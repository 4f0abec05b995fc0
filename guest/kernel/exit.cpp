// exit(2), exit_group(2) and the end of the run (compare Linux's kernel/exit.c). With one task,
// its exit is the machine's: a Shutdown event with the kernel's counters (always sent), then the
// status on the exit port, where the monitor ends the run.
#include "events.hpp"
#include "processor.hpp"
#include "syscalls.hpp"

namespace lstar::kernel {

Task current;
Stats stats;

namespace {
constexpr uint16_t kIsaDebugExitPort = 0xf4;
}

[[noreturn]] void do_exit(long status) {
    status &= 0xff;  // what a parent's wait() would see as the exit code (Linux: (code & 0xff) << 8)
    auto* e = event_prepare<abi::ShutdownEvent>(abi::EventType::Shutdown);
    e->status = static_cast<uint64_t>(status);
    e->syscalls = stats.syscalls;
    e->via_hardware = stats.via_hardware;
    e->via_pf_shim = stats.via_pf_shim;
    e->exceptions = stats.exceptions;
    event_send();
    if (lstar_monitor)
        outl(abi::kPortExit, static_cast<uint32_t>(status));
    else  // QEMU's isa-debug-exit (iobase 0xf4): QEMU exits with (status << 1) | 1
        outl(kIsaDebugExitPort, static_cast<uint32_t>(status));
    halt_forever();  // in case the monitor lets the CPU run on
}

}  // namespace lstar::kernel

extern "C" long sys_exit(unsigned long status, unsigned long, unsigned long, unsigned long, unsigned long,
                         unsigned long) {
    lstar::kernel::do_exit(long(status));
}

extern "C" long sys_exit_group(unsigned long status, unsigned long, unsigned long, unsigned long, unsigned long,
                               unsigned long) {
    lstar::kernel::do_exit(long(status));
}
