// Exception handling (compare Linux's arch/x86/kernel/traps.c and mm/fault.c).
//
// This kernel has no signals and no demand paging: an exception from ring 3 kills the task with
// the signal Linux would send, and the run ends as a shell reports a killed process (status
// 128 + signal). An exception in ring 0 is a kernel bug: report it and stop the CPU.
#include "events.hpp"
#include "printk.hpp"
#include "processor.hpp"
#include "syscall_nr.hpp"
#include "x86/exceptions.hpp"

namespace lstar::kernel {

namespace {

using x86::kVectors;

// The signal Linux delivers for each vector (its DO_ERROR table and the handlers around it).
unsigned vector_signal(unsigned long vector) {
    switch (vector) {
    case 0: case 9: case 16: case 19: return sig::kSIGFPE;  // #DE, old #MF, #MF, #XM
    case 1: case 3: return sig::kSIGTRAP;                    // #DB, #BP
    case 6: return sig::kSIGILL;                             // #UD
    case 11: case 12: case 17: case 18: return sig::kSIGBUS; // #NP, #SS, #AC, #MC
    default: return sig::kSIGSEGV;                           // #GP, #PF, #TS, ...
    }
}

void report(const pt_regs* regs, unsigned long vector, uint64_t cr2, abi::ExceptionAction action, unsigned signal) {
    auto* e = event_prepare<abi::ExceptionEvent>(abi::EventType::Exception);
    e->vector = vector;
    e->error_code = regs->orig_ax;
    e->rip = regs->ip;
    e->cs = regs->cs;
    e->rflags = regs->flags;
    e->rsp = regs->sp;
    e->ss = regs->ss;
    e->cr2 = cr2;
    e->cr3 = read_cr3();
    e->has_error_code = vector < 32 && kVectors[vector].error_code;
    e->action = action;
    e->signal = signal;
    event_send();
}

const char* vector_name(unsigned long vector) {
    if (vector == x86::kVecGP) return "general protection fault";  // Linux's wording
    return vector < 32 ? kVectors[vector].name : "interrupt";
}

}  // namespace

}  // namespace lstar::kernel

extern "C" void do_exception(lstar::pt_regs* regs, unsigned long vector) {
    using namespace lstar;
    using namespace lstar::kernel;
    stats.exceptions++;
    const uint64_t cr2 = vector == x86::kVecPF ? read_cr2() : 0;

    if (vector == x86::kVecNMI) {  // not an error of the interrupted code: note it and go on
        pr_info("Uhhuh. NMI received at %lx", regs->ip);
        return;
    }

    if (regs->cs & 3) {  // from user mode: the task dies
        const unsigned signal = vector_signal(vector);
        if (guest_events) report(regs, vector, cr2, abi::ExceptionAction::KillTask, signal);
        if (vector == x86::kVecPF)
            pr_info("%s[%d]: segfault at %lx ip %p sp %p error %lx", current.comm, current.pid, cr2,
                    reinterpret_cast<void*>(regs->ip), reinterpret_cast<void*>(regs->sp), regs->orig_ax);
        else
            pr_info("traps: %s[%d] %s%s ip:%lx sp:%lx error:%lx", current.comm, current.pid,
                    vector == x86::kVecGP ? "" : "trap ", vector_name(vector), regs->ip, regs->sp, regs->orig_ax);
        do_exit(128 + signal);
    }

    // From kernel mode: a kernel bug. Always reported: the monitor must know why the CPU stopped.
    report(regs, vector, cr2, abi::ExceptionAction::Panic, 0);
    pr_emerg("Kernel panic: %s at %lx (error %lx cr2 %lx)", vector_name(vector), regs->ip, regs->orig_ax, cr2);
    halt_forever();  // cli; hlt: the monitor sees a HLT exit with interrupts off
}
