// Watching the guest from outside, without its help (strace for a whole kernel): breakpoints at
// LSTAR and at the sysretq/iretq the entry code returns through, breakpoints on exception handlers
// read from the guest's IDT, and single-stepping the entry path.
//
// The breakpoints are hardware ones (DR0-DR3), or patches in guest memory (hlt, or `out 0xef, al`
// for a kernel with the in-kernel irqchip) on a KVM whose debug registers do not fire
// (trace/bp_probe.hpp decides before the first instruction). On kvm_pvm a
// hardware breakpoint fires again when the vCPU resumes at it (RF does not help), so a hit is
// followed by arming the other side (LSTAR / the return sites) or by: disarm, one single step,
// re-arm. A software breakpoint is handled the same way: it is taken out while the vCPU runs the
// instruction under it. Breakpoints and single steps are reported only for ring-0 code on kvm_pvm; the
// syscall entry runs in ring 0 once the CPL switch is done, so that is enough.
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
#include "trace/bp_probe.hpp"
#include "trace/entry_scan.hpp"
#include "trace/inflight.hpp"
#include "trace/code_patches.hpp"
#include "trace/syscall_format.hpp"
#include "trace/syscall_stats.hpp"
#include "cpu/disasm.hpp"

namespace lstar::trace {

// What the run loop passes on_debug for a software breakpoint's exit (a hlt or an OUT).
inline constexpr exits::Debug kPatchBreakpoint{~0u, 0, 0, 0};

struct TraceOptions {
    bool syscalls = false;
    bool path = false;
    std::string path_filter;  // only syscalls with this name ("" = every one)
    uint64_t steps_from = 0, steps_to = ~0ull;  // print only step lines in [from, to]
    bool exceptions = false;
    std::vector<unsigned> vectors;  // exception vectors to watch
    x86::Syntax syntax = x86::Syntax::Intel;
    // strace's options for the syscall lines (docs/tracing.md):
    std::vector<bool> only;  // -e trace=: only[nr] calls get a line and a -c row (empty: every call)
    bool align = false;          // strace's layout: " = " at column 39 (with any of -o -e -T -t -c -C)
    bool syscall_times = false;  // -T: " <0.000012>", the time from LSTAR to the return
    unsigned timestamps = 0;     // -t: 1 "21:16:10 ", 2 (-tt) "21:16:10.123456 ", 3 (-ttt) seconds since the epoch
    enum class Count { Off, Only, Also } count = Count::Off;  // -c (the table, no lines), -C (both)
    bool selected(uint64_t nr) const { return only.empty() || (nr < only.size() && only[nr]); }
    // Only the first syscall's entry, for its CPU state (TraceSink::entry): a foreign kernel's
    // user-mode CR3 for --show-user-mappings. Its breakpoint goes once it has fired.
    bool first_entry = false;
    bool any() const { return syscalls || path || exceptions || first_entry; }
    bool entries() const { return syscalls || path || first_entry; }  // a breakpoint at LSTAR
    // The kernel may run another task's syscall before this one returns (a foreign kernel with
    // interrupts and a scheduler): LSTAR stays armed throughout (stepped over, not skipped).
    bool preemptive = false;
};

// What the tracer reports, for the run loop to print, log and put on the timeline.
struct TraceSink {
    std::function<void(const std::string& line)> line;          // a line for people (stderr)
    std::function<void(const std::string& json)> record;        // an exit-log record (a JSON object)
    std::function<void(const std::string& name, bool enter, uint64_t nr)> syscall_edge;  // timeline
    std::function<void(const std::string& name)> exception;     // timeline
    std::function<void(const CpuState& cpu)> entry;              // at LSTAR, before the kernel's first instruction
};

class Tracer {
public:
    // bps: the breakpoint kind this KVM supports (choose_breakpoints); software ones write their
    // patch (bps.patch) into mem.
    // segments: the kernel image's, for a software breakpoint on code not mapped yet (image_gpa).
    Tracer(TraceOptions opts, const SymbolTable& syms, GuestMemory& mem, TraceSink sink, BpChoice bps = {},
           std::vector<ElfSegment> segments = {});

    // Before the first KVM_RUN: the debug state to start with.
    kvm_guest_debug start(const CpuState& cpu, uint64_t lstar);
    // Called after every exit with the current LSTAR (0 while unknown): notices a new LSTAR or a
    // new IDT and returns the debug state to install when it changes.
    std::optional<kvm_guest_debug> after_exit(const CpuState& cpu, uint64_t lstar);
    // A KVM_EXIT_DEBUG, or a software breakpoint's exit (d = kPatchBreakpoint, cpu with RIP put
    // back on the breakpoint): returns the debug state to install before the next run.
    kvm_guest_debug on_debug(const exits::Debug& d, const CpuState& cpu);
    // The run ended: a syscall that never returned (exit_group) is printed with "= ?", and with -c
    // the table follows.
    void finish();

    // The breakpoint address if this exit is one of our software breakpoints (CodePatches::hit).
    std::optional<uint64_t> software_hit(const VmExit& e) const {
        return software() ? patches_.hit(e) : std::nullopt;
    }

    uint64_t traced_syscalls() const { return syscalls_; }
    uint64_t traced_exceptions() const { return exceptions_; }
    uint64_t steps() const { return step_no_ + idt_wait_steps_; }
    const BpChoice& breakpoints() const { return bpk_; }
    // The summary's lines: the breakpoint kind, what was traced. guest_syscalls is what the guest
    // counted itself (nullopt: unknown): a guest that made calls none of which was traced is said
    // to be untraceable here, with the reason, never "traced 0".
    std::string summary(uint64_t debug_exits, std::optional<uint64_t> guest_syscalls) const;

private:
    enum class Mode { Armed, StepOver, Path, WaitIdt, Off };  // Off: this KVM cannot trace
    enum class Kind { Lstar, Return, Exception };
    static constexpr uint64_t kNoGpa = ~0ull;
    struct Bp {
        uint64_t addr;
        Kind kind;
        unsigned vector = 0;
        unsigned frame_offset = 0;  // exception: where the CPU's frame is, relative to RSP at the breakpoint
        uint64_t gpa = kNoGpa;      // software breakpoints: where the patch goes (found when first armed)
    };

    // The debug state for running on: the breakpoints that are due, in DR0-DR3 or as patches.
    kvm_guest_debug armed();
    // One single step with no breakpoint armed (and no patch of ours left in guest memory).
    kvm_guest_debug single_step();
    bool software() const { return bpk_.kind == BpKind::Software; }
    unsigned capacity() const;  // breakpoints at most: four debug registers, or 16 patches
    void place_patch(Bp& b);
    void note_cpu(const CpuState& cpu) { cr0_ = cpu.sregs.cr0, cr3_ = cpu.sregs.cr3; }
    void plan(const CpuState& cpu);
    void on_syscall_entry(const CpuState& cpu);
    void on_syscall_return(const CpuState& cpu, const std::string& insn);
    bool returns_to_user(const CpuState& cpu) const;  // at an iretq: its frame's CS has RPL 3
    void syscall_line(std::optional<int64_t> ret);  // the strace line of cur_, as the options want it
    void unfinished(const InFlight& c);              // a call whose return was not seen: "= ?"
    MemReader call_reader() const;                   // cur_'s entry reads, else live user memory
    void on_exception(unsigned vector, const CpuState& cpu, unsigned frame_offset);
    void step_line(const CpuState& cpu, const std::string& insn_text);
    kvm_guest_debug end_path(const std::string& why);
    std::string landing_not_reported() const;
    std::string insn_at(const CpuState& cpu, unsigned* len = nullptr) const;
    std::string with_sym(uint64_t a) const;  // "0x... <symbol+off>"
    std::string exits_text(uint64_t debug_exits) const;  // "debug exits N[, breakpoint hlt exits M]"
    MemReader user_reader(uint64_t cr3) const;

    TraceOptions opts_;
    const SymbolTable& syms_;
    GuestMemory& mem_;
    TraceSink sink_;
    BpChoice bpk_;
    CodePatches patches_;  // software breakpoints: their patches in guest memory
    std::vector<ElfSegment> segments_;
    const char* stopped_by_ = "";  // what stopped the guest last: "#DB" (DR0-DR3, a step), "hlt" or "out"
    uint64_t cr0_ = 0, cr3_ = 0;  // at the last exit: the page tables a patch's address is found in
    Mode mode_ = Mode::Armed;
    uint64_t lstar_ = 0, idt_base_ = 0;
    std::vector<ReturnSite> returns_;
    std::vector<Bp> bps_;

    // The syscalls in flight (inflight.hpp), and cur_, the one an entry or return is about. The
    // return sites are armed only while some call is in flight. For a kernel of one task at a
    // time, LSTAR is left unarmed right after its own hit (lstar_skip_): a breakpoint re-fires when
    // resumed at, so arming the other side instead of stepping over saves an exit and an ioctl per
    // edge. A kernel that schedules (TraceOptions::preemptive) could enter again meanwhile, unseen.
    InFlightCalls inflight_;
    InFlight cur_;
    bool lstar_skip_ = false;
    uint64_t return_skip_ = 0;  // a return site just hit, left out while other calls are in flight
    SyscallStats stats_;  // -c
    bool path_this_call_ = false;
    bool landing_pending_ = false;
    CpuState prev_{};          // path mode: the state at the instruction just stepped
    std::string prev_text_;
    unsigned prev_len_ = 0;
    uint64_t path_insns_ = 0, step_no_ = 0;
    bool finished_ = false;
    uint64_t syscalls_ = 0, exceptions_ = 0, idt_wait_steps_ = 0, patch_hits_ = 0;
};

// strace's -t prefixes: style 1 "21:16:10 ", 2 "21:16:10.123456 ", 3 "1796332738.123456 "; 0 "".
std::string timestamp_prefix(unsigned style, uint64_t wall_ns);
// -T's "0.000012": seconds with six decimals.
std::string seconds_text(uint64_t ns);

// "PF,GP,UD" -> {14, 13, 6}; throws std::invalid_argument naming an unknown one.
std::vector<unsigned> parse_vectors(const std::string& list);

}  // namespace lstar::trace
