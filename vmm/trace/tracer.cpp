#include "trace/tracer.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "common/clock.hpp"
#include "memory/page_walk.hpp"
#include "common/json.hpp"
#include "memory/instruction_fetch.hpp"
#include "cpu/decode.hpp"
#include "common/syscall_names.hpp"
#include "cpu/debug_regs.hpp"
#include "x86/descriptor.hpp"
#include "x86/exceptions.hpp"
#include "x86/msr.hpp"
#include "trace/syscall_decode.hpp"

namespace lstar::trace {

std::string timestamp_prefix(unsigned style, uint64_t wall_ns) {
    if (!style) return "";
    const time_t secs = time_t(wall_ns / 1000000000ull);
    const auto usecs = (unsigned long)(wall_ns / 1000 % 1000000);
    char b[64];
    if (style >= 3) {
        std::snprintf(b, sizeof b, "%lld.%06lu ", (long long)secs, usecs);
        return b;
    }
    tm t{};
    localtime_r(&secs, &t);  // strace prints local time
    size_t n = std::strftime(b, sizeof b, "%H:%M:%S", &t);
    if (style == 2) std::snprintf(b + n, sizeof b - n, ".%06lu", usecs);
    return std::string(b) + " ";
}

std::string seconds_text(uint64_t ns) {
    char b[32];
    std::snprintf(b, sizeof b, "%llu.%06llu", (unsigned long long)(ns / 1000000000ull),
                  (unsigned long long)(ns / 1000 % 1000000));
    return b;
}

std::vector<unsigned> parse_vectors(const std::string& list) {
    std::vector<unsigned> v;
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!name.empty() && name[0] == '#') name.erase(0, 1);
        bool found = false;
        for (unsigned i = 0; i < 32; ++i) {
            std::string m = x86::kVectors[i].mnemonic;
            if (m[0] == '#') m.erase(0, 1);
            if (m == name) {
                v.push_back(i);
                found = true;
                break;
            }
        }
        if (!found) throw std::invalid_argument("unknown exception vector '" + name + "' (use names like PF,GP,UD,DE,DF)");
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return v;
}

Tracer::Tracer(TraceOptions opts, const SymbolTable& syms, GuestMemory& mem, TraceSink sink, BpChoice bps,
               std::vector<ElfSegment> segments)
    : opts_(std::move(opts)), syms_(syms), mem_(mem), sink_(std::move(sink)), bpk_(std::move(bps)), patches_(mem, bpk_.patch),
      segments_(std::move(segments)) {
    if (opts_.timestamps) tzset();  // now: /etc/localtime is read before the run loop's seccomp filter
}

std::string Tracer::with_sym(uint64_t a) const {
    auto d = syms_.describe(a);
    return d.empty() ? hex(a) : hex(a) + " <" + d + ">";
}

MemReader Tracer::user_reader(uint64_t cr3) const {
    return [this, cr3](uint64_t va, size_t n) {
        constexpr uint64_t kPaging = 1ull << 31;  // user memory exists only with paging on
        return read_linear_prefix(mem_, kPaging, cr3, va, n, Access::User);
    };
}

std::string Tracer::insn_at(const CpuState& cpu, unsigned* len) const {
    auto i = guest_instruction(mem_, cpu.sregs.cr0, cpu.sregs.cr3, cpu.regs.rip, opts_.syntax);
    if (!i) return "(unreadable)";
    if (len) *len = i->length;
    return i->text;
}

kvm_guest_debug Tracer::start(const CpuState& cpu, uint64_t lstar) {
    if (sink_.line)
        sink_.line(bpk_.kind == BpKind::None
                       ? "trace: this KVM (" + bpk_.host + ") cannot trace: " + bpk_.why
                       : "trace: breakpoints: " + bp_text(bpk_) + " (" + bpk_.why + ")");
    if (sink_.record)
        sink_.record(JsonObject().str("type", "trace").str("kind", "breakpoints").str("breakpoints", bp_kind_name(bpk_.kind))
                         .str("host", bpk_.host).str("why", bpk_.why).done());
    if (bpk_.kind == BpKind::None) {
        mode_ = Mode::Off;
        return kvm_guest_debug{};
    }
    auto d = after_exit(cpu, lstar);
    // A kernel may make no VM exit between loading its IDT and the first exception, so the
    // monitor would never see the IDT in time. Without the guest's help, single-step the kernel
    // from its first instruction until IDTR holds a full table (a few thousand ring-0 steps).
    if (opts_.exceptions && !idt_base_) {
        mode_ = Mode::WaitIdt;
        return single_step();
    }
    return d ? *d : armed();
}

std::string Tracer::landing_not_reported() const {
    return "  [host] this KVM did not report the single step that lands in ring 3; the return went to RCX=" +
           hex(cur_.rcx) + " at CPL 3";
}

std::optional<kvm_guest_debug> Tracer::after_exit(const CpuState& cpu, uint64_t lstar) {
    if (mode_ == Mode::Path && landing_pending_ && software()) {  // the guest ran on past the return
        landing_pending_ = false;
        return end_path(landing_not_reported());
    }
    if (mode_ != Mode::Armed) return std::nullopt;
    note_cpu(cpu);
    bool replan = false;
    if (lstar && lstar != lstar_ && opts_.entries()) lstar_ = lstar, replan = true;
    // The IDT is read once the kernel has loaded a full one (all 32 exception vectors).
    if (opts_.exceptions && cpu.sregs.idt.base != idt_base_ && cpu.sregs.idt.limit >= 32 * 16 - 1)
        idt_base_ = cpu.sregs.idt.base, replan = true;
    // Away from LSTAR again (an exit inside the syscall): arm it again, so that a syscall which
    // returns to user mode by a way no breakpoint watches does not hide the ones after it.
    bool rearm = (lstar_skip_ && cpu.regs.rip != lstar_) || (return_skip_ && cpu.regs.rip != return_skip_);
    if (rearm) lstar_skip_ = false, return_skip_ = 0;
    if (replan) plan(cpu);
    if (!replan && !rearm) return std::nullopt;
    return armed();
}

void Tracer::on_exception(unsigned vector, const CpuState& cpu, unsigned frame_offset) {
    ++exceptions_;
    const auto& v = x86::kVectors[vector & 31];
    // The CPU's frame is on the handler's stack: [error code,] RIP, CS, RFLAGS, RSP, SS.
    auto f = read_virtual(mem_, cpu.sregs.cr3, cpu.regs.rsp + frame_offset, (v.error_code ? 6 : 5) * 8);
    uint64_t q[6] = {};
    if (f) std::memcpy(q, f->data(), f->size());
    const uint64_t* frame = v.error_code ? q + 1 : q;
    uint64_t err = v.error_code ? q[0] : 0;
    uint64_t rip = frame[0], cs = frame[1];
    CpuState at = cpu;
    at.regs.rip = rip;
    std::string insn = f ? insn_at(at) : "";
    std::string line = std::string("exception ") + v.mnemonic + " (" + v.name + ") at " + with_sym(rip) +
                       " from CPL " + std::to_string(cs & 3) + ", error code " +
                       x86::decode_error_code(vector, err, v.error_code) +
                       (vector == x86::kVecPF ? ", CR2=" + hex(cpu.sregs.cr2) : "") +
                       (insn.empty() ? "" : ": " + insn) + "; handler " + with_sym(cpu.regs.rip) +
                       " on stack " + hex(cpu.regs.rsp);
    if (vector == x86::kVecPF && (cs & 3) == 3 && rip == lstar_ && lstar_)
        line += "  [this host's SYSCALL: the fetch at LSTAR faulted at CPL 3; the guest's #PF entry completes it]";
    if (vector == x86::kVecUD && (cs & 3) == 3 && insn.rfind("int 0x80", 0) == 0)
        line += "  [this host's int $0x80: #UD instead of the gate; the guest's #UD entry completes it]";
    if (!f) line += " (the exception frame was not readable)";
    if (sink_.line) sink_.line(line);
    if (sink_.exception) sink_.exception(v.mnemonic);
    if (sink_.record)
        sink_.record(JsonObject().str("type", "trace").str("kind", "exception").num("vector", vector)
                         .str("mnemonic", v.mnemonic).hex("error_code", err).num("has_error_code", v.error_code)
                         .str("error_decoded", x86::decode_error_code(vector, err, v.error_code)).hex("rip", rip)
                         .str("sym", syms_.describe(rip)).str("insn", insn).hex("cs", cs).num("from_cpl", unsigned(cs & 3))
                         .hex("cr2", cpu.sregs.cr2).hex("handler", cpu.regs.rip).hex("handler_rsp", cpu.regs.rsp).done());
}

void Tracer::step_line(const CpuState& cpu, const std::string& text) {
    ++step_no_;
    ++path_insns_;
    if (step_no_ < opts_.steps_from || step_no_ > opts_.steps_to) return;
    char head[160];
    std::snprintf(head, sizeof head, "  %5llu  CPL%u CR3=%#llx RSP=%#018llx GS=%#llx  ", (unsigned long long)step_no_,
                  cpu.cpl(), (unsigned long long)cpu.sregs.cr3, (unsigned long long)cpu.regs.rsp,
                  (unsigned long long)cpu.sregs.gs.base);
    std::string where = syms_.describe(cpu.regs.rip);
    if (where.empty()) where = hex(cpu.regs.rip);
    if (sink_.line) sink_.line(head + where + "  " + text);
    if (sink_.record)
        sink_.record(JsonObject().str("type", "trace").str("kind", "step").num("step", step_no_).num("cpl", cpu.cpl())
                         .hex("cr3", cpu.sregs.cr3).hex("rsp", cpu.regs.rsp).hex("gs_base", cpu.sregs.gs.base)
                         .hex("rip", cpu.regs.rip).str("sym", where).str("insn", text).done());
}

kvm_guest_debug Tracer::on_debug(const exits::Debug& d, const CpuState& cpu) {
    note_cpu(cpu);
    // Our patches out while the monitor reads guest code (every way out of here arms again).
    bool hit_patch = patches_.patched(cpu.regs.rip);
    patches_.remove_all();
    if (return_skip_ && cpu.regs.rip != return_skip_) return_skip_ = 0;  // away from it: due again
    const bool patch = d.exception == kPatchBreakpoint.exception;
    stopped_by_ = patch ? patches_.insn().name : d.exception == x86::kVecDB ? "#DB" : "#BP";
    if (patch) ++patch_hits_;
    if (mode_ == Mode::Off) return kvm_guest_debug{};
    if (mode_ == Mode::WaitIdt) {
        ++idt_wait_steps_;
        if (cpu.sregs.idt.limit >= 32 * 16 - 1) {
            idt_base_ = cpu.sregs.idt.base;
            mode_ = Mode::Armed;
            if (sink_.line)
                sink_.line("trace: the kernel loaded its IDT at " + hex(idt_base_) + " (found after " +
                           std::to_string(idt_wait_steps_) + " single steps from boot)");
            plan(cpu);
            return armed();
        }
        std::string text = insn_at(cpu);
        if (cpu.cpl() != 0 || text.rfind("iret", 0) == 0 || text.rfind("sysret", 0) == 0) {
            // Leaving ring 0 without a full IDT: stop stepping (ring-3 steps would reach the guest).
            if (sink_.line) sink_.line("trace: the kernel reached user mode without a full IDT; exceptions not traced");
            mode_ = Mode::Armed;
            plan(cpu);
            return armed();
        }
        return single_step();
    }
    if (mode_ == Mode::StepOver) {  // one step past a breakpoint: arm again
        mode_ = Mode::Armed;
        return armed();
    }
    if (mode_ == Mode::Path && landing_pending_ && patch) {
        landing_pending_ = false;
        end_path(landing_not_reported());
        patches_.remove_all();  // and on to the breakpoint hit below, in Armed mode
    }
    if (mode_ == Mode::Path) {
        if (landing_pending_) {
            landing_pending_ = false;
            if (cpu.cpl() == 3)
                return end_path("  landed in user mode at " + hex(cpu.regs.rip) + " CPL 3 (CS=" +
                                hex(cpu.sregs.cs.selector) + "), RSP=" + hex(cpu.regs.rsp) +
                                (cpu.regs.rip == cur_.rcx ? ": the RIP that was in RCX" : ""));
            return end_path("  [host] this KVM does not report the single step that lands in ring 3 (ring-3 code "
                            "runs natively on kvm_pvm); the return went to RCX=" + hex(cur_.rcx) + " at CPL 3");
        }
        // Did the last step run more than one instruction? On kvm_pvm `swapgs; sysretq` goes as one.
        if (prev_len_ && cpu.regs.rip != prev_.regs.rip + prev_len_ && prev_text_ == "swapgs") {
            CpuState next = prev_;
            next.regs.rip = prev_.regs.rip + prev_len_;
            std::string text = insn_at(next);
            if (text.rfind("sysret", 0) == 0 || text.rfind("iret", 0) == 0) {
                step_line(next, text + "    [host: ran together with the swapgs before it, not reported as a step]");
                on_syscall_return(next, text);  // RAX already held the return value at the swapgs
                return end_path("  [host] the return to ring 3 was not reported by this KVM; it went to RCX=" +
                                hex(cur_.rcx) + " at CPL 3");
            }
        }
        unsigned len = 0;
        std::string text = insn_at(cpu, &len);
        step_line(cpu, text);
        prev_ = cpu, prev_text_ = text, prev_len_ = len;
        if (text.rfind("sysret", 0) == 0 || (text.rfind("iret", 0) == 0 && returns_to_user(cpu))) {
            on_syscall_return(cpu, text);
            landing_pending_ = true;
            if (software()) {
                // QEMU's AMD-V reports no step after a sysretq that loads TF=0: arm LSTAR with the
                // step, so the next syscall ends this path (below) and is not missed. Not the
                // return site we stand on (other calls in flight keep the others armed).
                return_skip_ = cpu.regs.rip;
                kvm_guest_debug dbg = armed();
                dbg.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
                return dbg;
            }
        }
        return single_step();
    }
    // Armed: which breakpoint? DR6 says (a patch: the RIP, put back on it); the RIP is the fallback.
    int slot = software() ? -1 : x86::dr6_hit_slot(d.dr6);
    const Bp* bp = nullptr;
    if (slot >= 0 && size_t(slot) < bps_.size() && bps_[size_t(slot)].addr == cpu.regs.rip) bp = &bps_[size_t(slot)];
    for (const auto& b : bps_)
        if (!bp && b.addr == cpu.regs.rip && (!software() || hit_patch)) bp = &b;
    if (!bp) return armed();  // not ours (a stray #DB): leave the breakpoints as they are
    switch (bp->kind) {
    case Kind::Lstar:
        // The entry code may not have been mapped when LSTAR was first seen (a kernel maps its
        // entry area during boot): now it runs, so look for the return sites again.
        if (opts_.syscalls && returns_.empty()) plan(cpu);
        on_syscall_entry(cpu);
        if (!opts_.syscalls && !opts_.path) {  // first_entry alone: seen, and the breakpoint goes
            std::erase_if(bps_, [](const Bp& b) { return b.kind == Kind::Lstar; });
            return armed();
        }
        if (path_this_call_) {
            const char* name = syscall_name(cur_.call.nr);
            if (sink_.line)
                sink_.line("path of " + std::string(name ? name : "syscall") + " (#" + std::to_string(syscalls_) +
                           "), one line per ring-0 instruction:");
            path_insns_ = 0;
            mode_ = Mode::Path;
            unsigned len = 0;
            prev_text_ = insn_at(cpu, &len);
            prev_ = cpu, prev_len_ = len;
            step_line(cpu, prev_text_);
            return single_step();
        }
        // Arm the return sites instead of LSTAR (we stand on it): no step over it needed. With
        // none to arm (--trace path alone), step over LSTAR and keep it armed.
        if (!opts_.preemptive &&
            std::any_of(bps_.begin(), bps_.end(), [](const Bp& b) { return b.kind == Kind::Return; })) {
            lstar_skip_ = true;
            return armed();
        }
        break;
    case Kind::Return: {
        // An iretq may also end an interrupt that came in kernel mode (Linux's common exit path):
        // only one whose frame goes back to CPL 3 ends the syscall.
        std::string insn = insn_at(cpu);
        if (insn.rfind("iret", 0) == 0 && !returns_to_user(cpu)) break;  // step over it, still waiting
        on_syscall_return(cpu, insn);
        lstar_skip_ = false;
        // Other calls in flight wait for this return site too: leave it out until the next exit
        // away from it (a single step over sysretq is not reported by QEMU's AMD-V, and with
        // interrupts blocked for the step the guest would wait for it forever).
        if (!inflight_.empty()) return_skip_ = cpu.regs.rip;
        return armed();  // with no call in flight the return sites go unarmed, LSTAR is armed again
    }
    case Kind::Exception: on_exception(bp->vector, cpu, bp->frame_offset); break;
    }
    mode_ = Mode::StepOver;  // an exception handler's breakpoint stays armed: step over it first
    return single_step();
}

kvm_guest_debug Tracer::end_path(const std::string& why) {
    if (sink_.line) {
        sink_.line(why);
        sink_.line("  " + std::to_string(path_insns_) + " ring-0 instructions from LSTAR to the return to user mode");
    }
    prev_len_ = 0;
    mode_ = Mode::Armed;
    return armed();
}

}  // namespace lstar::trace
