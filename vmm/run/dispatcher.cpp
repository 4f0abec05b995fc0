#include "run/dispatcher.hpp"

#include <csignal>

#include "event_abi.hpp"
#include "common/exit_status.hpp"
#include "common/json.hpp"
#include "x86/msr.hpp"
#include "cpu/msr_rules.hpp"

namespace lstar {

namespace {

uint64_t all_ones(unsigned bytes) { return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1; }

Decision on_io(const exits::Io& io) {
    if (!io.in) {
        if (io.port == abi::kPortConsole && io.size == 1) return {actions::ConsoleOut{io.data}, ""};
        if (io.port == abi::kPortEvent && io.size == 4 && io.count == 1) return {actions::ReadEvent{io.value}, ""};
        if (io.port == abi::kPortExit && io.size == 4 && io.count == 1)
            return {actions::Stop{StopReason::GuestExit, exit_status(StopReason::GuestExit, int(io.value & 0xff))}, ""};
        if (io.port == abi::kPortNull) return {actions::Continue{}, ""};
        return {actions::Continue{}, "", true};
    }
    return {actions::CompleteRead{all_ones(io.size)}, "", true};
}

}  // namespace

Decision dispatch(const VmExit& exit) {
    const auto& k = exit.kind;
    if (auto* io = std::get_if<exits::Io>(&k)) return on_io(*io);
    if (auto* m = std::get_if<exits::Mmio>(&k)) {
        if (m->write) return {actions::Continue{}, "", true};
        return {actions::CompleteRead{all_ones(m->len)}, "", true};
    }
    if (auto* m = std::get_if<exits::Msr>(&k)) {
        const char* name = x86::msr_name(m->index);
        if (!name)  // the filter traps only lstar's list; anything else is not architectural here
            return {actions::MsrAccess{m->write, m->index, m->data, "MSR " + hex(m->index) + " is not emulated"}, ""};
        std::optional<std::string> fault;
        if (m->write) fault = x86::wrmsr_fault(m->index, m->data, exit.cpu.sregs.cr0, exit.cpu.sregs.efer);
        return {actions::MsrAccess{m->write, m->index, m->data, fault}, ""};
    }
    if (std::holds_alternative<exits::Hlt>(k)) {
        // lstar's own protocols get no interrupt controller or timer (foreign kernels get KVM's
        // in-kernel ones, and their HLT waits inside KVM_RUN): here a halted vCPU never wakes.
        bool if_set = exit.cpu.regs.rflags & x86::kRflagsIf;
        return {actions::Stop{StopReason::Halted, exit_status(StopReason::Halted)},
                if_set ? "HLT with interrupts enabled, but this VM has no interrupt source"
                       : "HLT with interrupts disabled: the guest stopped for good"};
    }
    if (std::holds_alternative<exits::Shutdown>(k))
        return {actions::Stop{StopReason::TripleFault, exit_status(StopReason::TripleFault)}, "triple fault: the CPU shut down"};
    if (auto* ie = std::get_if<exits::InternalError>(&k))
        return {actions::Stop{StopReason::EmulationFailure, exit_status(StopReason::EmulationFailure)},
                ie->suberror == KVM_INTERNAL_ERROR_EMULATION ? "KVM could not emulate an instruction"
                                                             : "KVM internal error, suberror " + std::to_string(ie->suberror)};
    if (auto* in = std::get_if<exits::Interrupted>(&k)) {
        if (in->signal == SIGALRM) return {actions::Stop{StopReason::Timeout, exit_status(StopReason::Timeout)}, "timeout"};
        if (in->signal == SIGTERM) return {actions::Stop{StopReason::Interrupted, exit_status(StopReason::Interrupted, SIGTERM)}, "SIGTERM"};
        if (in->signal == SIGINT) return {actions::Stop{StopReason::Interrupted, exit_status(StopReason::Interrupted, SIGINT)}, "SIGINT"};
        return {actions::Continue{}, "KVM_RUN interrupted by a signal; resuming"};
    }
    if (auto* d = std::get_if<exits::Debug>(&k))
        return {actions::Stop{StopReason::UnexpectedExit, exit_status(StopReason::UnexpectedExit)},
                "debug exit (exception " + std::to_string(d->exception) + ") with no debugger attached"};
    if (auto* f = std::get_if<exits::FailEntry>(&k))
        return {actions::Stop{StopReason::UnexpectedExit, exit_status(StopReason::UnexpectedExit)},
                "VM entry failed, hardware reason " + hex(f->reason)};
    if (auto* s = std::get_if<exits::SystemEvent>(&k))
        return {actions::Stop{StopReason::UnexpectedExit, exit_status(StopReason::UnexpectedExit)},
                "system event " + std::to_string(s->type)};
    auto* u = std::get_if<exits::Unknown>(&k);
    return {actions::Stop{StopReason::UnexpectedExit, exit_status(StopReason::UnexpectedExit)},
            "unexpected exit reason " + std::to_string(u ? u->reason : 0)};
}

std::string note_text(const VmExit& exit, const Decision& d) {
    if (!d.unhandled_access) return d.note;
    if (auto* io = std::get_if<exits::Io>(&exit.kind)) {
        if (io->in) return "unhandled IN from port " + hex(io->port) + " reads all ones";
        return "unhandled OUT to port " + hex(io->port) + " (size " + std::to_string(io->size) + ") ignored";
    }
    if (auto* m = std::get_if<exits::Mmio>(&exit.kind))
        return "MMIO " + std::string(m->write ? "write to " : "read from ") + hex(m->gpa) +
               " (no RAM or device there)" + (m->write ? " ignored" : " reads all ones");
    return d.note;
}

}  // namespace lstar
