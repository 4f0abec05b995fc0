// The system call table and dispatcher (compare Linux's arch/x86/entry/syscall_64.c and
// common.c). entry_SYSCALL_64 builds pt_regs and calls do_syscall_64(nr, regs); the handler's
// result goes to regs->ax, which the entry's exit path loads into RAX.
#include "events.hpp"
#include "processor.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"
#include "x86/selectors.hpp"

// Set to 1 by syscall_pf_shim (entry_64.S) when this syscall reached the entry through a #PF
// rather than through the CPU's own SYSCALL privilege switch; do_syscall_64 reads and clears it.
volatile uint32_t syscall_entered_via_pf_shim = 0;  // declared extern "C" in kernel.hpp

namespace lstar::kernel {

namespace {

// sys_call_table[nr::kMax + 1]: every slot is sys_ni_syscall except the ones implemented.
// Built by a constexpr function and constinit, so it is plain data in .rodata (no constructor).
struct SysCallTable {
    sys_call_ptr_t slot[nr::kMax + 1];
    constexpr sys_call_ptr_t operator[](unsigned long n) const { return slot[n]; }
};

constexpr SysCallTable build_sys_call_table() {
    SysCallTable t{};
    for (auto& s : t.slot) s = &sys_ni_syscall;
    t.slot[nr::kWrite] = &sys_write;
    t.slot[nr::kGetpid] = &sys_getpid;
    t.slot[nr::kExit] = &sys_exit;
    t.slot[nr::kExitGroup] = &sys_exit_group;
    return t;
}

uint64_t gs_base() {  // the per-CPU area's own address, read through GS as the entry left it
    uint64_t v;
    asm volatile("movq %%gs:%c1, %0" : "=r"(v) : "i"(PERCPU_SELF));
    return v;
}

void report_enter(unsigned long nr, const pt_regs* regs, sys_call_ptr_t handler, abi::EntryVia via) {
    auto* e = event_prepare<abi::SyscallEnterEvent>(abi::EventType::SyscallEnter);
    e->nr = nr;
    e->args[0] = regs->di;
    e->args[1] = regs->si;
    e->args[2] = regs->dx;
    e->args[3] = regs->r10;
    e->args[4] = regs->r8;
    e->args[5] = regs->r9;
    e->user_rip = regs->cx;
    e->user_rflags = regs->r11;
    e->user_rsp = regs->sp;
    e->pt_regs = reinterpret_cast<uint64_t>(regs);
    e->gs_base = gs_base();
    e->handler = reinterpret_cast<uint64_t>(handler);
    e->lstar = reinterpret_cast<uint64_t>(entry_SYSCALL_64);  // what LSTAR holds (no rdmsr exit)
    e->cr3 = read_cr3();
    e->cpl = current_cpl();
    e->via = via;
    event_send();
}

void report_exit(unsigned long nr, const pt_regs* regs) {
    auto* e = event_prepare<abi::SyscallExitEvent>(abi::EventType::SyscallExit);
    e->nr = nr;
    e->ret = regs->ax;
    e->rcx = regs->ip;     // entry_SYSCALL_64 loads RCX from pt_regs->ip ...
    e->r11 = regs->flags;  // ... and R11 from pt_regs->flags before sysretq
    e->user_rsp = regs->sp;
    e->cr3 = read_cr3();
    e->sysret_cs = x86::star_sysret_cs64(x86::kStar);
    e->sysret_ss = x86::star_sysret_ss(x86::kStar);
    e->cpl = current_cpl();
    event_send();
}

}  // namespace

constinit const SysCallTable sys_call_table = build_sys_call_table();

}  // namespace lstar::kernel

extern "C" long sys_ni_syscall(SYSCALL_ARGS) { return -lstar::err::kENOSYS; }

extern "C" void do_syscall_64(unsigned long nr, lstar::pt_regs* regs) {
    using namespace lstar;
    using namespace lstar::kernel;
    const auto via = syscall_entered_via_pf_shim ? abi::EntryVia::PfShim : abi::EntryVia::Hardware;
    syscall_entered_via_pf_shim = 0;
    stats.syscalls++;
    (via == abi::EntryVia::PfShim ? stats.via_pf_shim : stats.via_hardware)++;

    const sys_call_ptr_t handler = nr <= nr::kMax ? sys_call_table[nr] : &sys_ni_syscall;
    if (guest_events) report_enter(nr, regs, handler, via);
    regs->ax = handler(regs->di, regs->si, regs->dx, regs->r10, regs->r8, regs->r9);
    if (guest_events) report_exit(nr, regs);
}
