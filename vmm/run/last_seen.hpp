// What lstar last saw of the vCPU, for the ends whose registers KVM no longer has. kvm_amd INITs
// the vCPU on a SHUTDOWN intercept (the VMCB is undefined after one: svm.c's
// shutdown_interception), so the registers that come with KVM_EXIT_SHUTDOWN there are the reset
// state (CS 0xf000, RIP 0xfff0), not the fault's; kvm_intel and kvm_pvm keep the fault's. No
// exception intercept that would catch the #DF before the shutdown works on every kind of KVM
// (KVM_SET_GUEST_DEBUG intercepts only #DB and #BP), and KVM_CAP_X86_TRIPLE_FAULT_EVENT reports a
// triple fault KVM has pending, not the state before one the CPU took: the report falls back on
// what lstar itself saw last, and says so.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "event_abi.hpp"
#include "kvm/exit.hpp"
#include "loader/symbols.hpp"
#include "common/json.hpp"

namespace lstar {

// KVM's INIT/RESET state: CS selector 0xf000, RIP 0xfff0, protection off.
bool is_reset_state(const CpuState& cpu);

class LastSeen {
public:
    void boot(const CpuState& cpu);  // what lstar loaded and read back before the first KVM_RUN
    // Every exit but the one that ends the run: a copy of the registers, no ioctl. Segment and
    // control registers only when the exit carried them (Vcpu::sync_sregs). reason: exit_name().
    void exit(const VmExit& e, uint64_t seq, std::string_view reason) {
        cpu_.regs = e.cpu.regs;
        if (e.sregs_valid) cpu_.sregs = e.cpu.sregs, sregs_seq_ = seq;
        seq_ = seq;
        reason_ = reason;
        if (auto* io = std::get_if<exits::Io>(&e.kind)) where_ = io->port, out_or_write_ = !io->in;
        else if (auto* m = std::get_if<exits::Mmio>(&e.kind)) where_ = m->gpa, out_or_write_ = m->write;
    }
    void exception(const abi::ExceptionEvent& ev, uint64_t seq) { exception_ = ev, exception_seq_ = seq; }

    const CpuState& cpu() const { return cpu_; }
    uint64_t seq() const { return seq_; }              // 0: no exit yet, cpu() is the boot state
    uint64_t sregs_seq() const { return sregs_seq_; }  // the exit cpu().sregs came with (0: boot)
    std::string exit_text() const;                     // "io port 0xec0", "mmio", ...
    const std::optional<abi::ExceptionEvent>& last_exception() const { return exception_; }
    uint64_t exception_seq() const { return exception_seq_; }

private:
    CpuState cpu_{};
    uint64_t seq_ = 0, sregs_seq_ = 0, exception_seq_ = 0;
    std::string_view reason_ = "";  // exit_name()'s: a literal
    uint64_t where_ = 0;              // io: the port; mmio: the address
    bool out_or_write_ = false;
    std::optional<abi::ExceptionEvent> exception_;
};

// Which registers the report of a run's end shows, and why.
struct EndRegisters {
    CpuState cpu;
    const char* label = "at_exit";  // "at_exit", "last_exit" (before a reset), "boot" (no exit before it)
    uint64_t seq = 0;               // the exit cpu came with
    bool kvm_reset = false;         // KVM returned its reset state with the exit that ended the run
    CpuState reset;                 // what KVM returned then
    std::string heading;            // lines for stderr before the register dump ("" for at_exit)
    std::string note;               // one line for the exit log ("" for at_exit)
};

// end_seq: the exit that ended the run.
EndRegisters end_registers(const VmExit& end, uint64_t end_seq, const LastSeen& seen, const std::string& host_module,
                           const SymbolTable& syms);

// The label fields of the fault and end records: registers, registers_seq, kvm_reset, registers_note.
void add_end_registers(JsonObject& rec, const EndRegisters& r);

}  // namespace lstar
