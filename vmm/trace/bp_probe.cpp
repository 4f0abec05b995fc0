#include "trace/bp_probe.hpp"

#include <spdlog/spdlog.h>

#include <variant>

#include "memory/page_walk.hpp"
#include "trace/code_patches.hpp"
#include "cpu/debug_regs.hpp"
#include "x86/exceptions.hpp"
#include "x86/msr.hpp"  // shared/x86: CR0 and EFER bits

namespace lstar::trace {

const char* bp_kind_name(BpKind k) {
    return k == BpKind::Hardware ? "hardware" : k == BpKind::Software ? "software" : "none";
}

std::string bp_text(const BpChoice& c) {
    if (c.kind == BpKind::Hardware) return "hardware (DR0-DR3)";
    if (c.kind == BpKind::None) return "none";
    return c.patch.len == 1 ? "software (hlt)" : "software (out 0xef)";
}

namespace {

// The first instruction's guest-physical address: paging off, or 4-level paging (lstar's boot).
std::optional<uint64_t> first_insn_gpa(const GuestMemory& mem, const kvm_sregs& s, uint64_t linear) {
    if (!(s.cr0 & x86::kCr0Pg)) return linear;
    if (!(s.efer & x86::kEferLma)) return std::nullopt;  // 32-bit paging: no boot of lstar starts so
    auto t = translate(mem, s.cr3, linear);
    if (!t) return std::nullopt;
    return t->gpa;
}

}  // namespace

BpChoice choose_breakpoints(const kvm::HostKind& host, kvm::Vcpu& vcpu, GuestMemory& mem, bool hlt_exits) {
    BpChoice c;
    c.host = host.module;
    c.block_irq = host.guest_debug_flags & KVM_GUESTDBG_BLOCKIRQ;
    if (host.module == "kvm_pvm") {
        c.why = "kvm_pvm: DR breakpoints fire in ring 0 (and a ring-0 int3 is an emulation failure there)";
        return c;
    }
    kvm_regs regs = vcpu.get_regs();
    kvm_sregs sregs = vcpu.get_sregs();
    bool long_mode = (sregs.efer & x86::kEferLma) && sregs.cs.l;
    uint64_t linear = long_mode ? regs.rip : sregs.cs.base + regs.rip;
    auto gpa = first_insn_gpa(mem, sregs, linear);
    const PatchInsn insn = hlt_exits ? kHlt : kOutBreakpoint;
    if (!gpa || !mem.contains(*gpa, insn.len)) {
        c.why = "not probed (the first instruction is not in guest RAM); assumed to fire";
        return c;
    }
    CodePatches patch(mem, insn);
    kvm_guest_debug d{};
    d.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
    patch.insert(linear, *gpa);  // only the probe's run: no instruction of the guest runs under it
    d.arch.debugreg[0] = linear;
    d.arch.debugreg[7] = x86::dr7_enable(0, 0);
    vcpu.set_guest_debug(d);
    VmExit e = vcpu.run();
    for (int i = 0; i < 3 && std::holds_alternative<exits::Interrupted>(e.kind); ++i) {
        vcpu.run_page().immediate_exit = 0;
        e = vcpu.run();
    }
    bool patch_hit = patch.hit(e).has_value();
    patch.remove_all();
    vcpu.set_guest_debug(kvm_guest_debug{});
    auto* dbg = std::get_if<exits::Debug>(&e.kind);
    spdlog::debug("breakpoint probe at {:#x}: exit {}, exception {}, dr6 {:#x}, rip {:#x}", linear, exit_name(e.kind),
                  dbg ? dbg->exception : 0u, dbg ? dbg->dr6 : 0ull, e.cpu.regs.rip);
    if (dbg && dbg->exception == x86::kVecDB && x86::dr6_hit_slot(dbg->dr6) == 0) {
        c.why = "DR0 fired on the first instruction (" + host.module + ")";
        return c;
    }
    if (patch_hit) {
        if (!hlt_exits) vcpu.finish_pending_io();  // KVM completes the OUT (RIP past it) without running the guest
        vcpu.set_regs(regs);                         // stand on the first instruction again
        c.kind = BpKind::Software;
        c.patch = insn;
        c.why = "hardware breakpoints (DR0-DR3) did not fire on this KVM (" + host.module + "): DR0 and " +
                (hlt_exits ? std::string("a hlt") : std::string("an `out 0xef, al` (the in-kernel interrupt controller "
                                                                "keeps a hlt inside KVM)")) +
                " on the first instruction, and the " + insn.name + " stopped the guest";
        return c;
    }
    c.kind = BpKind::None;
    c.why = "neither DR0 nor " + std::string(hlt_exits ? "a hlt" : "an `out 0xef, al`") +
            " on the first instruction stopped the guest on this KVM (" + host.module + "; the first exit was '" +
            std::string(exit_name(e.kind)) + "')";
    return c;
}

}  // namespace lstar::trace
