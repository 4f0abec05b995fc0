// The tracer's syscall edges: the entry at LSTAR, the return matched to it (inflight.hpp), the
// strace line, and the calls still in flight when the run ends.
#include <cstring>

#include "common/clock.hpp"
#include "common/json.hpp"
#include "common/syscall_names.hpp"
#include "linux_sigframe.hpp"
#include "memory/page_walk.hpp"
#include "trace/syscall_decode.hpp"
#include "trace/tracer.hpp"

namespace lstar::trace {

void Tracer::on_syscall_entry(const CpuState& cpu) {
    const auto& r = cpu.regs;
    cur_ = InFlight{};
    cur_.call = {r.rax, {r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9}, 64};
    cur_.cr3 = cpu.sregs.cr3, cur_.rcx = r.rcx, cur_.rsp = r.rsp;
    cur_.ns = clock_ns();
    cur_.wall_ns = opts_.timestamps ? clock_ns(CLOCK_REALTIME) : 0;
    if (sink_.line && (opts_.syscalls || opts_.path) && opts_.selected(cur_.call.nr)) {
        // Read the inputs now: an execve that succeeds leaves no address space to read them in.
        MemReader live = user_reader(cur_.cr3);
        auto& reads = cur_.entry_reads;
        format_syscall(cur_.call, std::nullopt, [&](uint64_t va, size_t n) {
            auto b = live(va, n);
            if (b) reads[{va, n}] = *b;
            return b;
        });
    }
    ++syscalls_;
    if (sink_.entry) sink_.entry(cpu);
    const SyscallCall call = cur_.call;
    const char* name = syscall_name(call.nr);
    path_this_call_ = opts_.path && (opts_.path_filter.empty() || (name && opts_.path_filter == name));
    // Only calls whose return something watches: the return sites (syscalls), or the path's steps.
    if (opts_.syscalls || path_this_call_)
        if (auto missed = inflight_.enter(cur_)) unfinished(*missed);  // its return went by a way no breakpoint watched
    if (sink_.syscall_edge) sink_.syscall_edge(name ? name : "syscall_" + std::to_string(call.nr), true, call.nr);
    if (sink_.record) {
        std::string args = "[";
        for (int i = 0; i < 6; ++i) args += (i ? ",\"" : "\"") + hex(call.args[i]) + "\"";
        sink_.record(JsonObject().str("type", "trace").str("kind", "syscall_entry").num("nr", call.nr)
                         .str("name", name ? name : "").raw("args", args + "]").hex("rcx", r.rcx).hex("r11", r.r11)
                         .hex("cr3", cpu.sregs.cr3).hex("rip", r.rip).str("sym", syms_.describe(r.rip))
                         .num("cpl", cpu.cpl()).str("stopped_by", stopped_by_).done());
    }
}

MemReader Tracer::call_reader() const {
    return [this, live = user_reader(cur_.cr3)](uint64_t va, size_t n) -> std::optional<std::vector<uint8_t>> {
        auto it = cur_.entry_reads.find({va, n});
        if (it != cur_.entry_reads.end()) return it->second;
        return live(va, n);
    };
}

void Tracer::on_syscall_return(const CpuState& cpu, const std::string& insn) {
    // Where the CPU is about to go: sysretq takes RIP from RCX (RSP is the user's already),
    // iretq pops RIP, CS, RFLAGS, RSP, SS.
    InFlightCalls::Return r{cpu.sregs.cr3, cpu.regs.rcx, cpu.regs.rsp, std::nullopt};
    if (insn.rfind("iret", 0) == 0) {
        auto f = read_virtual(mem_, cpu.sregs.cr3, cpu.regs.rsp, 32);
        if (!f) return;
        std::memcpy(&r.rip, f->data(), 8);
        std::memcpy(&r.rsp, f->data() + 24, 8);
    }
    const MemReader user = user_reader(cpu.sregs.cr3);
    auto user_u64 = [&](uint64_t va) -> std::optional<uint64_t> {
        auto b = user(va, 8);
        if (!b || b->size() != 8) return std::nullopt;
        uint64_t v;
        std::memcpy(&v, b->data(), 8);
        return v;
    };
    r.frame_ip = user_u64(r.rsp + uapi::kSigframeIp);
    auto m = inflight_.leave(r);
    if (!m) return;  // a new task's first return (a fork child's), an interrupt's or an exception's
    cur_ = std::move(m->call);
    const SyscallCall& call = cur_.call;
    // Into a signal handler: the call's result waits in the frame for rt_sigreturn.
    std::optional<int64_t> frame_ax;
    if (m->to_handler)
        if (auto ax = user_u64(r.rsp + uapi::kSigframeAx)) frame_ax = int64_t(*ax);
    int64_t ret = m->to_handler ? frame_ax.value_or(0) : int64_t(cpu.regs.rax);
    if (m->to_handler && !frame_ax) syscall_line(std::nullopt);
    else syscall_line(ret);
    if (m->to_handler && sink_.line && opts_.count != TraceOptions::Count::Only)
        sink_.line("--- " + signal_name(cpu.regs.rdi) + " (handler " + hex(r.rip) + ") ---");
    const char* name = syscall_name(call.nr);
    if (sink_.syscall_edge) sink_.syscall_edge(name ? name : "syscall_" + std::to_string(call.nr), false, call.nr);
    if (sink_.record)
        sink_.record(JsonObject().str("type", "trace").str("kind", "syscall_return").num("nr", call.nr)
                         .str("name", name ? name : "").num("ret", ret).str("via", insn).hex("rip", cpu.regs.rip)
                         .str("sym", syms_.describe(cpu.regs.rip)).hex("rcx", cpu.regs.rcx)
                         .num("to_signal_handler", m->to_handler)
                         .str("line", format_syscall(call, ret, call_reader())).str("stopped_by", stopped_by_).done());
}

void Tracer::unfinished(const InFlight& c) {
    cur_ = c;
    syscall_line(std::nullopt);
    if (sink_.record)
        sink_.record(JsonObject().str("type", "trace").str("kind", "syscall_return").num("nr", c.call.nr)
                         .str("line", format_syscall(c.call, std::nullopt, call_reader())).done());
}

bool Tracer::returns_to_user(const CpuState& cpu) const {
    auto cs = read_virtual(mem_, cpu.sregs.cr3, cpu.regs.rsp + 8, 8);  // iretq pops RIP, CS, RFLAGS, RSP, SS
    if (!cs) return true;  // unreadable: count it, as before the check (the line shows the value)
    uint64_t sel = 0;
    std::memcpy(&sel, cs->data(), 8);
    return (sel & 3) == 3;
}

void Tracer::syscall_line(std::optional<int64_t> ret) {
    const SyscallCall& call = cur_.call;
    if (!opts_.selected(call.nr)) return;
    const uint64_t ns = clock_ns() - cur_.ns;
    const char* name = syscall_name(call.nr);
    // strace -c counts a call when it returns: exit_group, which does not, is in no row.
    if (ret && opts_.count != TraceOptions::Count::Off)
        stats_.add(call.nr, name ? name : "syscall_" + std::to_string(call.nr), ns, *ret < 0 && *ret > -4096);
    if (opts_.count == TraceOptions::Count::Only || !sink_.line) return;
    std::string head = timestamp_prefix(opts_.timestamps, cur_.wall_ns);
    std::string line = head + format_syscall(call, ret, call_reader(), opts_.align ? int(head.size()) : -1);
    if (opts_.syscall_times && ret) line += " <" + seconds_text(ns) + ">";
    sink_.line(line);
}

void Tracer::finish() {
    for (const auto& c : inflight_.drain()) unfinished(c);
    if (opts_.count != TraceOptions::Count::Off && sink_.line && !finished_) {
        finished_ = true;  // the table once, however the run ended
        if (bpk_.kind == BpKind::None) {  // an empty table would claim the guest made no calls
            sink_.line("trace: no syscall table: this KVM (" + bpk_.host + ") cannot trace: " + bpk_.why);
            return;
        }
        std::string table = stats_.table();
        table.pop_back();
        sink_.line(table);
    }
}

}  // namespace lstar::trace
