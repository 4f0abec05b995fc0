// The tracer's breakpoints: where they go (LSTAR, the return sites found in its code, the
// exception handlers in the IDT), arming them as DR0-DR3 or as patches (hlt, out), and the summary's
// lines about them.
#include "trace/tracer.hpp"

#include <algorithm>
#include <cstring>

#include "memory/instruction_fetch.hpp"
#include "memory/page_walk.hpp"
#include "common/json.hpp"
#include "cpu/debug_regs.hpp"
#include "x86/descriptor.hpp"
#include "x86/exceptions.hpp"
#include "x86/msr.hpp"

namespace lstar::trace {

unsigned Tracer::capacity() const { return software() ? 16 : x86::kDebugSlots; }

// The patch goes to the physical bytes under addr in the page tables of the last exit (the ones
// the entry code and the handlers were read through), or where the loader put it when they do
// not map it yet.
void Tracer::place_patch(Bp& b) {
    if (patches_.patched(b.addr)) return;
    // An IDT target is an instruction boundary however the kernel patches its code later (Linux's
    // alternatives turn the 3 one-byte nops at an exception entry into clac, after lstar read
    // them): the patch goes there even over a one-byte instruction, whose successor nothing jumps to.
    if (patches_.insn().len > 1 && b.kind != Kind::Exception) {
        // A two-byte patch over a one-byte instruction would also cover the next one, which code
        // elsewhere may jump to: no breakpoint there.
        auto i = guest_instruction(mem_, cr0_, cr3_, b.addr);
        if (i && i->length < patches_.insn().len) {
            if (sink_.line)
                sink_.line("trace: no software breakpoint at " + with_sym(b.addr) + ": its instruction (" + i->text +
                           ") is shorter than the " + std::to_string(patches_.insn().len) + "-byte `out 0xef, al`");
            return;
        }
    }
    if (b.gpa == kNoGpa) {
        if (!(cr0_ & x86::kCr0Pg)) b.gpa = b.addr;  // paging off: linear == physical
        else if (auto t = translate(mem_, cr3_, b.addr)) b.gpa = t->gpa;
        else if (auto g = image_gpa(segments_, b.addr)) b.gpa = *g;
        else return;
    }
    if (!patches_.insert(b.addr, b.gpa) && sink_.line)
        sink_.line("trace: no software breakpoint at " + with_sym(b.addr) + ": guest-physical " + hex(b.gpa) +
                   " is outside guest RAM (or the patch would cross a page)");
}

kvm_guest_debug Tracer::armed() {
    kvm_guest_debug d{};
    if (bps_.empty() || bpk_.kind == BpKind::None) {
        patches_.remove_all();
        return d;  // control 0: debugging off
    }
    // A patch needs no debugging on: it exits to the monitor by itself.
    if (!software()) d.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
    for (unsigned i = 0; i < bps_.size() && i < capacity(); ++i) {
        bool due = !(bps_[i].kind == Kind::Lstar && lstar_skip_) &&
                   !(bps_[i].kind == Kind::Return && (inflight_.empty() || bps_[i].addr == return_skip_));
        if (software()) {
            if (due) place_patch(bps_[i]);
            else patches_.remove(bps_[i].addr);
            continue;
        }
        // Slot i stays bps_[i]'s (on_debug maps DR6 back by index); only DR7 says who is on.
        d.arch.debugreg[i] = bps_[i].addr;
        if (due) d.arch.debugreg[7] = x86::dr7_enable(d.arch.debugreg[7], i);
    }
    return d;
}

kvm_guest_debug Tracer::single_step() {
    patches_.remove_all();  // the step runs the instruction under a patch, not the patch
    kvm_guest_debug d{};
    d.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | (bpk_.block_irq ? KVM_GUESTDBG_BLOCKIRQ : 0);
    return d;
}

void Tracer::plan(const CpuState& cpu) {
    patches_.remove_all();
    note_cpu(cpu);
    bps_.clear();
    if (opts_.entries() && lstar_) bps_.push_back({lstar_, Kind::Lstar, 0});
    if (opts_.syscalls && lstar_) {
        CodeReader read = [&](uint64_t va, size_t n) {
            return read_linear_prefix(mem_, cpu.sregs.cr0, cpu.sregs.cr3, va, n);
        };
        returns_ = find_return_sites(lstar_, read);
        std::string found;
        for (const auto& r : returns_) found += " " + r.insn + "@" + with_sym(r.address);
        if (sink_.line && !found.empty())
            sink_.line("trace: LSTAR = " + with_sym(lstar_) + "; returns to user mode found in its code:" + found);
        else if (sink_.line)
            sink_.line("trace: LSTAR = " + with_sym(lstar_) + ": its code is not mapped yet; looking again at the first syscall");
        // sysretq first: the common way back; iretq is the fallback for odd RCX values.
        std::stable_sort(returns_.begin(), returns_.end(),
                         [](auto& a, auto& b) { return (a.insn == "sysretq") > (b.insn == "sysretq"); });
        for (const auto& r : returns_)
            if (bps_.size() < (opts_.exceptions && !software() ? 2u : capacity())) bps_.push_back({r.address, Kind::Return});
    }
    if (opts_.exceptions && idt_base_) {
        for (unsigned v : opts_.vectors) {
            if (bps_.size() >= capacity()) {
                if (sink_.line) sink_.line("trace: no breakpoint left for " + std::string(x86::kVectors[v].mnemonic));
                continue;
            }
            auto g = read_virtual(mem_, cpu.sregs.cr3, idt_base_ + 16ull * v, 16);
            if (!g) continue;
            x86::Gate gate;
            std::memcpy(&gate, g->data(), sizeof gate);
            if (!x86::gate_present(gate)) continue;
            // On kvm_pvm the handler's first instruction runs as part of delivering the exception
            // and never meets a breakpoint, so arm its second one (hardware stops there too) and
            // remember how far a first `push` moved RSP away from the CPU's frame.
            uint64_t handler = x86::gate_offset(gate);
            uint64_t bp = handler;
            unsigned frame_offset = 0;
            CpuState at = cpu;
            at.regs.rip = handler;
            unsigned len = 0;
            std::string first = insn_at(at, &len);
            // Only there: elsewhere a breakpoint stops before the first instruction, which stays an
            // instruction boundary when a kernel patches its code (a second one may not).
            if (len && bpk_.host == "kvm_pvm" && first.rfind("jmp", 0) != 0 && first.rfind("call", 0) != 0) {
                bp = handler + len;
                if (first.rfind("push", 0) == 0) frame_offset = 8;
            }
            bps_.push_back({bp, Kind::Exception, v, frame_offset});
            if (sink_.line)
                sink_.line("trace: " + std::string(x86::kVectors[v].mnemonic) + " handler from the IDT: " +
                           with_sym(x86::gate_offset(gate)));
        }
    }
}

std::string Tracer::exits_text(uint64_t debug_exits) const {
    std::string s = "debug exits " + std::to_string(debug_exits);
    return software() ? s + ", breakpoint " + patches_.insn().name + " exits " + std::to_string(patch_hits_) : s;
}

std::string Tracer::summary(uint64_t debug_exits, std::optional<uint64_t> guest_syscalls) const {
    std::string s = "  breakpoints  " + bp_text(bpk_) + ": " + bpk_.why + "\n";
    bool watched = opts_.entries();
    if (bpk_.kind == BpKind::None || (watched && syscalls_ == 0 && guest_syscalls && *guest_syscalls > 0)) {
        std::string why = bpk_.kind == BpKind::None
                              ? bpk_.why
                              : bp_text(bpk_) + " breakpoints at LSTAR never stopped the guest";
        s += "  traced       nothing: this KVM (" + bpk_.host + ") cannot trace" +
             (guest_syscalls ? " the guest's " + std::to_string(*guest_syscalls) + " syscalls" : "") + ": " + why +
             " (" + exits_text(debug_exits) + ")\n";
        return s;
    }
    s += "  traced       " + std::to_string(syscalls_) + " syscalls, " + std::to_string(exceptions_) + " exceptions, " +
         std::to_string(steps()) + " single steps, from outside the guest (" + exits_text(debug_exits) + ")\n";
    return s;
}

}  // namespace lstar::trace
