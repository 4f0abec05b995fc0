// The run loop (compare Firecracker's vcpu loop): KVM_RUN, route the exit (run/exit_router.hpp),
// log it, carry the action out, until something ends the run. Guest events and trapped MSR
// accesses are handled in run/run_events.cpp; the records are run/records.cpp's, the counts and
// the summary run/counters.cpp's.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "devices/access_limiter.hpp"
#include "devices/board.hpp"
#include "gdb/stub.hpp"
#include "run/counters.hpp"
#include "run/exit_log.hpp"
#include "run/exit_router.hpp"
#include "run/last_seen.hpp"
#include "run/records.hpp"
#include "run/session.hpp"
#include "run/vm_builder.hpp"
#include "trace/bp_probe.hpp"
#include "trace/chrome_trace.hpp"
#include "trace/trace_file.hpp"
#include "trace/tracer.hpp"

namespace lstar {

class RunLoop {
public:
    RunLoop(const RunOptions& opts, Machine& machine, ExitLog& log);
    // Runs the guest to its end; returns lstar's exit status. The exit log is closed.
    int run();

private:
    // Setting up what watches the run: the timeline, the tracer, gdb, the seccomp filter.
    void make_tracer();
    void install_seccomp();
    std::optional<int> attach_gdb();  // a status when gdb killed the guest before it started

    // One exit: carry out what was decided; a stop ends the run with its status.
    std::optional<int> act(const VmExit& e, const Decision& d);
    void report_unhandled(const VmExit& e, const Decision& d);
    int end(const actions::Stop& stop, const VmExit* e, const std::string& note);
    void report_stop(const actions::Stop& stop, const VmExit& e, const std::string& note);
    void write_end(const actions::Stop& stop, const std::string& note);

    // run_events.cpp
    void handle_event(uint64_t gpa, const CpuState& cpu);
    void on_syscall_enter(const abi::SyscallEnterEvent& ev, const CpuState& cpu);
    void on_syscall_exit(const abi::SyscallExitEvent& ev, const CpuState& cpu);
    void on_exception(const abi::ExceptionEvent& ev, const CpuState& cpu);
    void on_console_write(const abi::ConsoleWriteEvent& ev, const CpuState& cpu);
    void find_kaslr_slide(uint64_t lstar);
    void on_console_read(const abi::ConsoleReadEvent& ev, uint64_t gpa);
    void handle_msr(const actions::MsrAccess& m, const CpuState& cpu);
    void show_user_mappings(uint64_t user_cr3, uint64_t kernel_cr3);
    std::string msr_caller(const CpuState& cpu) const;  // the function that called the MSR accessor
    void count_syscall(const std::string& name, bool enter);
    void count_exception(const std::string& mnemonic);

    std::string sym(uint64_t a) const { return m_.image.symbols.describe(a); }
    std::string insn_text(uint64_t cr0, uint64_t cr3, uint64_t rip) const;
    uint64_t since_start() const;

    const RunOptions& opts_;
    Machine& m_;
    ExitLog& log_;
    Records records_;
    Counters counts_;
    ExitRouter router_;
    devices::Board board_;                  // COM1, fw_cfg, power-off ports (devices/)
    devices::AccessLimiter unhandled_;      // rate limit for reports of unknown ports and MMIO
    std::unique_ptr<gdb::Stub> gdb_;        // --gdb
    std::optional<trace::Tracer> tracer_;   // --trace
    std::optional<trace::ChromeTrace> timeline_;  // --trace-out
    trace::TraceFile trace_file_;           // --trace-file / -o
    trace::BpChoice bps_;                   // the breakpoint kind --trace and --gdb use (trace/bp_probe.hpp)
    bool user_mappings_shown_ = false;      // --show-user-mappings of a foreign kernel: at its first syscall
    bool bp_sw_ = false;                    // this exit is a software breakpoint's hlt or out (RIP put back on it)
    LastSeen seen_;                         // for ends whose registers KVM reset (kvm_amd's SHUTDOWN)
    std::optional<EndRegisters> end_regs_;  // what the fault report showed, for the end record
    uint64_t t_start_ = 0;
    uint64_t lstar_now_ = 0;  // LSTAR as the guest has it now (boot, or its last trapped WRMSR)
    bool narrating_ = false;
    size_t seccomp_allowed_ = 0;  // system calls the filter allows; 0: no filter (--no-seccomp)
};

}  // namespace lstar
