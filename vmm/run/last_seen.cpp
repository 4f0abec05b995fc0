#include "run/last_seen.hpp"

#include "run/narrator.hpp"
#include "x86/msr.hpp"

namespace lstar {

bool is_reset_state(const CpuState& cpu) {
    return cpu.regs.rip == 0xfff0 && cpu.sregs.cs.selector == 0xf000 && !(cpu.sregs.cr0 & x86::kCr0Pe);
}

void LastSeen::boot(const CpuState& cpu) {
    cpu_ = cpu;
    seq_ = sregs_seq_ = 0;
}

std::string LastSeen::exit_text() const {
    std::string s(reason_);
    if (reason_ == "io") s += std::string(out_or_write_ ? " out" : " in") + " port " + hex(where_);
    if (reason_ == "mmio") s += std::string(out_or_write_ ? " write " : " read ") + hex(where_);
    return s;
}

EndRegisters end_registers(const VmExit& end, uint64_t end_seq, const LastSeen& seen, const std::string& host_module,
                           const SymbolTable& syms) {
    EndRegisters r;
    r.cpu = end.cpu;
    r.seq = end_seq;
    if (!std::holds_alternative<exits::Shutdown>(end.kind) || !is_reset_state(end.cpu)) return r;
    // KVM re-initialised the vCPU: what it returned says nothing about the fault.
    r.kvm_reset = true;
    r.reset = end.cpu;
    r.cpu = seen.cpu();
    r.seq = seen.seq();
    const std::string why = host_module == "kvm_amd"
        ? "kvm_amd resets the vCPU on SHUTDOWN"
        : host_module + " reset the vCPU on SHUTDOWN";
    const std::string reset = "KVM returned the reset state (CS " + hex(end.cpu.sregs.cs.selector) + ", RIP " +
                              hex(end.cpu.regs.rip) + ", CR0 " + hex(end.cpu.sregs.cr0) + ")";
    if (seen.seq() == 0) {
        r.label = "boot";
        r.note = "registers lstar loaded at boot: no exit came before the shutdown; " + why + ": " + reset;
    } else {
        r.label = "last_exit";
        r.note = "registers at the last exit before the shutdown (exit #" + std::to_string(seen.seq()) + ", " +
                 seen.exit_text() + "); " + why + ": " + reset;
        if (seen.sregs_seq() != seen.seq())
            r.note += "; segment and control registers from " +
                      (seen.sregs_seq() ? "exit #" + std::to_string(seen.sregs_seq()) : std::string("boot")) +
                      " (later exits did not fetch them)";
    }
    r.heading = "  " + r.note + "\n";
    if (const auto& ex = seen.last_exception())
        r.heading += "  last guest exception record (exit #" + std::to_string(seen.exception_seq()) + "): " +
                     describe_exception(*ex, syms, "") + "\n";
    return r;
}

void add_end_registers(JsonObject& rec, const EndRegisters& r) {
    rec.name("registers", r.label).num("registers_seq", r.seq).num("kvm_reset", r.kvm_reset);
    if (!r.kvm_reset) return;
    rec.str("registers_note", r.note).hex("reset_rip", r.reset.regs.rip).hex("reset_cs", r.reset.sregs.cs.selector);
}

}  // namespace lstar
