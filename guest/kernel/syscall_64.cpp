// The x86-64 system call table and dispatcher (compare Linux's arch/x86/entry/syscall_64.c and
// common.c). entry_SYSCALL_64 builds pt_regs and calls do_syscall_64(nr, regs). invoke_syscall is
// what all three doors share: the counters, the SyscallEnter/SyscallExit events, the call.
#include "events.hpp"
#include "mm.hpp"
#include "processor.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"
#include "x86/msr.hpp"
#include "x86/selectors.hpp"

namespace lstar::kernel {

namespace {

uint64_t gs_base() {  // the per-CPU area's own address, read through GS as the entry left it
    uint64_t v;
    asm volatile("movq %%gs:%c1, %0" : "=r"(v) : "i"(PERCPU_SELF));
    return v;
}

template <class E>
void fill_hw_frame(E* e, const pt_regs* regs) {
    e->regs_ip = regs->ip;
    e->regs_cs = regs->cs;
    e->regs_flags = regs->flags;
    e->regs_sp = regs->sp;
    e->regs_ss = regs->ss;
}

void report_enter(unsigned long nr, const unsigned long (&args)[6], const pt_regs* regs, sys_call_ptr_t handler,
                  const SyscallDoor& d) {
    auto* e = event_prepare<abi::SyscallEnterEvent>(abi::EventType::SyscallEnter);
    e->nr = nr;
    for (unsigned i = 0; i < 6; i++) e->args[i] = args[i];
    // SYSCALL's RCX/R11; for the gate doors, where the iret frame returns to.
    e->user_rip = d.door == abi::Door::Syscall ? regs->cx : regs->ip;
    e->user_rflags = d.door == abi::Door::Syscall ? regs->r11 : regs->flags;
    e->user_rsp = regs->sp;
    e->pt_regs = reinterpret_cast<uint64_t>(regs);
    e->gs_base = gs_base();
    e->handler = reinterpret_cast<uint64_t>(handler);
    e->lstar = d.entry;
    e->cr3 = read_cr3();
    e->cpl = current_cpl();
    e->via = d.via;
    e->door = d.door;
    e->abi_bits = d.abi_bits;
    e->user_cr3 = user_cr3(e->cr3);
    fill_hw_frame(e, regs);
    e->stack_top = ::percpu_area.top_of_stack;
    e->entry_mode = static_cast<uint32_t>(entry_mode);
    event_send();
}

// Will entry_SYSCALL_64's exit take sysretq? The same test as its assembly.
bool sysret_ok(const pt_regs* regs) {
    return regs->cs == x86::kUserCs && regs->ss == x86::kUserDs && x86::is_canonical(regs->ip) &&
           !(regs->flags & (x86::kRflagsTf | x86::kRflagsRf));
}

void report_exit(unsigned long nr, const pt_regs* regs, abi::Door door) {
    auto* e = event_prepare<abi::SyscallExitEvent>(abi::EventType::SyscallExit);
    const bool sysret = door == abi::Door::Syscall && sysret_ok(regs);
    e->nr = nr;
    e->ret = regs->ax;
    e->rcx = sysret ? regs->ip : regs->cx;      // sysretq: RCX = pt_regs->ip ...
    e->r11 = sysret ? regs->flags : regs->r11;  // ... and R11 = pt_regs->flags
    e->user_rsp = regs->sp;
    e->cr3 = read_cr3();
    // The selectors the return loads: from STAR[63:48] for SYSRET, from the frame for IRET.
    e->sysret_cs = sysret ? x86::star_sysret_cs64(x86::kStar) : uint16_t(regs->cs);
    e->sysret_ss = sysret ? x86::star_sysret_ss(x86::kStar) : uint16_t(regs->ss);
    e->cpl = current_cpl();
    e->door = door;
    e->how = sysret ? abi::ReturnVia::Sysret : abi::ReturnVia::Iret;
    e->user_cr3 = user_cr3(e->cr3);
    fill_hw_frame(e, regs);
    event_send();
}

}  // namespace

pt_regs* current_pt_regs;

constinit const SysCallTable<nr::kMax + 1> sys_call_table = build_sys_call_table<nr::kMax + 1>({
    {nr::kRead, &sys_read}, {nr::kWrite, &sys_write}, {nr::kOpen, &sys_open}, {nr::kClose, &sys_close},
    {nr::kStat, &sys_stat}, {nr::kFstat, &sys_fstat}, {nr::kLstat, &sys_lstat}, {nr::kLseek, &sys_lseek},
    {nr::kMmap, &sys_mmap}, {nr::kMprotect, &sys_mprotect}, {nr::kMunmap, &sys_munmap}, {nr::kBrk, &sys_brk},
    {nr::kIoctl, &sys_ioctl}, {nr::kPread64, &sys_pread64}, {nr::kReadv, &sys_readv},
    {nr::kWritev, &sys_writev}, {nr::kGetpid, &sys_getpid}, {nr::kExecve, &sys_execve}, {nr::kExit, &sys_exit},
    {nr::kUname, &sys_uname}, {nr::kReadlink, &sys_readlink}, {nr::kGetrlimit, &sys_getrlimit},
    {nr::kGetuid, &sys_getuid}, {nr::kGetgid, &sys_getgid}, {nr::kGeteuid, &sys_geteuid},
    {nr::kGetegid, &sys_getegid}, {nr::kGetppid, &sys_getppid}, {nr::kArchPrctl, &sys_arch_prctl},
    {nr::kSetrlimit, &sys_setrlimit}, {nr::kGettid, &sys_gettid}, {nr::kSchedGetaffinity, &sys_sched_getaffinity},
    {nr::kGetdents64, &sys_getdents64}, {nr::kSetTidAddress, &sys_set_tid_address},
    {nr::kExitGroup, &sys_exit_group}, {nr::kOpenat, &sys_openat}, {nr::kNewfstatat, &sys_newfstatat},
    {nr::kReadlinkat, &sys_readlinkat}, {nr::kSetRobustList, &sys_set_robust_list},
    {nr::kPrlimit64, &sys_prlimit64}, {nr::kGetrandom, &sys_getrandom},
    {nr::kGettimeofday, &sys_gettimeofday}, {nr::kTime, &sys_time}, {nr::kClockGettime, &sys_clock_gettime},
    {nr::kClockGetres, &sys_clock_getres}, {nr::kGetcpu, &sys_getcpu},
    {nr::kRtSigaction, &sys_rt_sigaction}, {nr::kRtSigprocmask, &sys_rt_sigprocmask}, {nr::kDup, &sys_dup},
    {nr::kDup2, &sys_dup2}, {nr::kDup3, &sys_dup3}, {nr::kFcntl, &sys_fcntl}, {nr::kGetcwd, &sys_getcwd},
    {nr::kChdir, &sys_chdir}, {nr::kFchdir, &sys_fchdir}, {nr::kPoll, &sys_poll},
});

// The kernel's own counters, reported at shutdown (the evidence when guest events are off).
static inline void count_syscall(abi::EntryVia via) {
    stats.syscalls++;
    if (via == abi::EntryVia::Hardware) stats.via_hardware++;
    if (via == abi::EntryVia::PfShim) stats.via_pf_shim++;
}

void invoke_syscall(unsigned long nr, const unsigned long (&args)[6], pt_regs* regs, sys_call_ptr_t handler,
                    const SyscallDoor& door) {
    count_syscall(door.via);
    if (guest_events) report_enter(nr, args, regs, handler, door);
    current_pt_regs = regs;
    regs->ax = handler(args[0], args[1], args[2], args[3], args[4], args[5]);
    if (guest_events) report_exit(nr, regs, door.door);
}

}  // namespace lstar::kernel

extern "C" long sys_ni_syscall(SYSCALL_ARGS) { return -lstar::err::kENOSYS; }

extern "C" void do_syscall_64(unsigned long nr, lstar::pt_regs* regs) {
    using namespace lstar;
    using namespace lstar::kernel;
    // syscall_pf_shim (entry_64.S) sets the flag when this call reached LSTAR through a #PF rather
    // than through the CPU's own SYSCALL privilege switch.
    volatile CeaVars& v = cea_vars();
    const auto via = v.via_pf_shim ? abi::EntryVia::PfShim : abi::EntryVia::Hardware;
    v.via_pf_shim = 0;
    if (user_flush_pending) user_flush_done();  // the return that flushed the user PCID is behind us
    if (!guest_events) {
        // The hot path, as Linux's do_syscall_64: count, look up, call with the arguments straight
        // from pt_regs. (Ring 0 is emulated on some hosts: no argument array, no door record.)
        count_syscall(via);
        current_pt_regs = regs;  // execve rewrites them
        regs->ax = sys_call_table[nr](regs->di, regs->si, regs->dx, regs->r10, regs->r8, regs->r9);
        return;
    }
    const unsigned long args[6] = {regs->di, regs->si, regs->dx, regs->r10, regs->r8, regs->r9};
    invoke_syscall(nr, args, regs, sys_call_table[nr], {abi::Door::Syscall, via, 64, v.lstar});
}
