// Exception handling (compare Linux's arch/x86/kernel/traps.c and mm/fault.c).
//
// This kernel has no signals and no demand paging: an exception from ring 3 kills the task with
// the signal Linux would send, and the run ends as a shell reports a killed process (status
// 128 + signal). An exception in ring 0 is a kernel bug: report it and stop the CPU.
#include "events.hpp"
#include "mm.hpp"
#include "printk.hpp"
#include "processor.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"
#include "time.hpp"
#include "x86/exceptions.hpp"
#include "x86/msr.hpp"

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
    asm volatile("movq %%rsp, %0" : "=r"(e->handler_rsp));
    event_send();
}

// The two opcode bytes at a user RIP, or 0 if they are not readable user memory.
uint16_t user_opcode(uint64_t ip) {
    if (!user_range_accessible(ip, 2, false)) return 0;
    return *reinterpret_cast<const volatile uint16_t*>(ip);
}

/*
 * #UD from ring 3 at one of the two doors this host's CPU refuses. Returns true when handled.
 *
 *  - `int $0x80` (CD 80): THE INT80 #UD SHIM. On this host's kvm_pvm a DPL-3 gate raises #UD
 *    instead of being taken (docs/host-workarounds.md). Continue exactly as the gate would have:
 *    the frame the CPU pushed for #UD is the gate's frame except that RIP points at the
 *    instruction (a fault) rather than after it (a trap), and RF may be set: fix both and run
 *    do_int80_syscall_32, via=UdShim. On hardware (and QEMU) the gate is taken and this never runs.
 *  - `sysenter` (0F 34): #UD is the architecture's answer on AMD CPUs in 64-bit mode (AMD64 APM
 *    vol. 3, SYSENTER). lstar's choice, so a program can tell and say so: the kernel logs it and
 *    the program continues after the instruction with RAX = -ENOSYS, as from a missing syscall.
 */
bool handle_user_ud(pt_regs* regs) {
    const uint16_t op = user_opcode(regs->ip);
    if (op == 0x80cd) {
        regs->ip += 2;
        regs->flags &= ~x86::kRflagsRf;
        regs->orig_ax = uint32_t(regs->ax);  // entry_INT80_compat's pt_regs->orig_ax: the number
        do_int80_syscall_32(regs, abi::EntryVia::UdShim);
        return true;
    }
    if (op == 0x340f) {
        pr_info("traps: %s[%d] sysenter at %lx: #UD (SYSENTER is invalid in 64-bit mode on AMD CPUs); "
                "returning -ENOSYS", current.comm, current.pid, regs->ip);
        regs->ip += 2;
        regs->ax = uint64_t(-err::kENOSYS);
        return true;
    }
    return false;
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
    // The two gate-style doors share this entry path (entry_64.S) but are not exceptions.
    if (vector == IA32_SYSCALL_VECTOR) return do_int80_syscall_32(regs, abi::EntryVia::Hardware);
    if (vector == SYSENTER_PSEUDO_VECTOR) return do_fast_syscall_32(regs);
    if (user_flush_pending) user_flush_done();
    // Demand paging first: a user page touched for the first time is not an error (mmap.cpp).
    if (vector == x86::kVecPF && (regs->cs & 3) && handle_mm_fault(read_cr2(), regs->orig_ax)) return;
    stats.exceptions++;
    if (vector == x86::kVecUD && (regs->cs & 3) && handle_user_ud(regs)) return;
    // #DF: CR2 still holds the address of a #PF that could not be delivered (a stack overflow).
    const uint64_t cr2 = vector == x86::kVecPF || vector == x86::kVecDF ? read_cr2() : 0;

    if (vector == x86::kVecNMI) {  // not an error of the interrupted code: note it and go on
        pr_info("Uhhuh. NMI received at %lx", regs->ip);
        return;
    }

    // A call into the vsyscall page (vsyscall_64.cpp): emulated, and the program goes on.
    if (vector == x86::kVecPF && (regs->cs & 3) && (cr2 & kPageMask) == vdso::kVsyscallAddr) {
        const pt_regs at_fault = *regs;
        if (emulate_vsyscall(regs->orig_ax, regs, cr2)) {
            if (guest_events) report(&at_fault, vector, cr2, abi::ExceptionAction::Fixup, 0);
            return;
        }
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
    // Linux's handle_stack_overflow(): a #DF whose CR2 is in the task stack's guard page.
    const uint64_t guard = VMAP_STACK_BASE;  // task_stack_guard (percpu.S)
    if (vector == x86::kVecDF && cr2 >= guard && cr2 < guard + 4096) {
        const uint64_t base = VMAP_STACK_BASE + 0x1000;  // task_stack
        pr_emerg("BUG: stack guard page was hit at %lx (stack is %lx..%lx)", cr2, base, base + 0x4000 - 1);
        pr_emerg("Kernel panic: kernel stack overflow (double-fault), handled on the #DF IST stack (pt_regs at %p)",
                 static_cast<void*>(regs));
        halt_forever();
    }
    pr_emerg("Kernel panic: %s at %lx (error %lx cr2 %lx)", vector_name(vector), regs->ip, regs->orig_ax, cr2);
    halt_forever();  // cli; hlt: the monitor sees a HLT exit with interrupts off
}
