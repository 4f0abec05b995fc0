// Watching the guest from outside, without its help (strace for a whole kernel): hardware
// breakpoints at LSTAR and at the sysretq/iretq the entry code returns through, breakpoints on
// exception handlers read from the guest's IDT, and single-stepping the entry path.
//
// On this project's KVM a hardware breakpoint fires again when the vCPU resumes at it (RF does not
// help), so every hit is followed by: disarm, one single step, re-arm. Breakpoints and single
// steps are reported only for ring-0 code here; the syscall entry runs in ring 0 once the CPL
// switch is done, so that is enough.
#pragma once
#include <linux/kvm.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "kvm/exit.hpp"
#include "loader/symbols.hpp"
#include "memory/guest_memory.hpp"
#include "trace/entry_scan.hpp"
#include "trace/syscall_format.hpp"
#include "cpu/disasm.hpp"

namespace lstar::trace {

struct TraceOptions {
    bool syscalls = false;
    bool path = false;
    std::string path_filter;  // only syscalls with this name ("" = every one)
    uint64_t steps_from = 0, steps_to = ~0ull;  // print only step lines in [from, to]
    bool exceptions = false;
    std::vector<unsigned> vectors;  // exception vectors to watch
    x86::Syntax syntax = x86::Syntax::Intel;
    bool any() const { return syscalls || path || exceptions; }
};

// What the tracer reports, for the run loop to print, log and put on the timeline.
struct TraceSink {
    std::function<void(const std::string& line)> line;          // a line for people (stderr)
    std::function<void(const std::string& json)> record;        // an exit-log record (a JSON object)
    std::function<void(const std::string& name, bool enter, uint64_t nr)> syscall_edge;  // timeline
    std::function<void(const std::string& name)> exception;     // timeline
};

class Tracer {
public:
    Tracer(TraceOptions opts, const SymbolTable& syms, const GuestMemory& mem, TraceSink sink);

    // Before the first KVM_RUN: the debug state to start with.
    kvm_guest_debug start(const CpuState& cpu, uint64_t lstar);
    // Called after every exit with the current LSTAR (0 while unknown): notices a new LSTAR or a
    // new IDT and returns the debug state to install when it changes.
    std::optional<kvm_guest_debug> after_exit(const CpuState& cpu, uint64_t lstar);
    // A KVM_EXIT_DEBUG: returns the debug state to install before the next run.
    kvm_guest_debug on_debug(const exits::Debug& d, const CpuState& cpu);
    // The run ended: a syscall that never returned (exit_group) is printed with "= ?".
    void finish();

    uint64_t traced_syscalls() const { return syscalls_; }
    uint64_t traced_exceptions() const { return exceptions_; }
    uint64_t steps() const { return step_no_ + idt_wait_steps_; }

private:
    enum class Mode { Armed, StepOver, Path, WaitIdt };
    enum class Kind { Lstar, Return, Exception };
    struct Bp {
        uint64_t addr;
        Kind kind;
        unsigned vector;
        unsigned frame_offset;  // exception: where the CPU's frame is, relative to RSP at the breakpoint
    };

    kvm_guest_debug armed() const;
    kvm_guest_debug single_step() const;
    void plan(const CpuState& cpu);
    void on_syscall_entry(const CpuState& cpu);
    void on_syscall_return(const CpuState& cpu, const std::string& insn);
    void on_exception(unsigned vector, const CpuState& cpu, unsigned frame_offset);
    void step_line(const CpuState& cpu, const std::string& insn_text);
    kvm_guest_debug end_path(const std::string& why);
    std::string insn_at(const CpuState& cpu, unsigned* len = nullptr) const;
    MemReader user_reader(uint64_t cr3) const;

    TraceOptions opts_;
    const SymbolTable& syms_;
    const GuestMemory& mem_;
    TraceSink sink_;
    Mode mode_ = Mode::Armed;
    uint64_t lstar_ = 0, idt_base_ = 0;
    std::vector<ReturnSite> returns_;
    std::vector<Bp> bps_;

    // The syscall in flight. Its return sites are armed only while one is (pending_), and LSTAR
    // is left unarmed right after its own hit (lstar_skip_): a breakpoint re-fires when resumed
    // at, so arming the other side instead of stepping over saves an exit and an ioctl per edge.
    bool pending_ = false;
    bool lstar_skip_ = false;
    SyscallCall call_{};
    uint64_t call_cr3_ = 0, call_rcx_ = 0;
    bool path_this_call_ = false;
    bool landing_pending_ = false;
    CpuState prev_{};          // path mode: the state at the instruction just stepped
    std::string prev_text_;
    unsigned prev_len_ = 0;
    uint64_t path_insns_ = 0, step_no_ = 0;
    uint64_t syscalls_ = 0, exceptions_ = 0, idt_wait_steps_ = 0;
};

// "PF,GP,UD" -> {14, 13, 6}; throws std::invalid_argument naming an unknown one.
std::vector<unsigned> parse_vectors(const std::string& list);

}  // namespace lstar::trace
