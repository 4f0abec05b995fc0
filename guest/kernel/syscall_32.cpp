// The i386 system call ABI of `int $0x80` and `sysenter` (compare Linux's arch/x86/entry/
// syscall_32.c and common.c): EAX = number (syscall_32.tbl), EBX, ECX, EDX, ESI, EDI, EBP =
// arguments, all 32 bits wide (zero-extended, as Linux's compat entry does: so a buffer passed
// this way must lie below 4 GiB).
#include "kernel.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"

namespace lstar::kernel {

constinit const SysCallTable<nr32::kMax + 1> ia32_sys_call_table = build_sys_call_table<nr32::kMax + 1>({
    {nr32::kExit, &sys_exit},
    {nr32::kWrite, &sys_write},
    {nr32::kGetpid, &sys_getpid},
    {nr32::kExitGroup, &sys_exit_group},
});

namespace {

void do_syscall_32(lstar::pt_regs* regs, const SyscallDoor& door) {
    const unsigned long nr = uint32_t(regs->orig_ax);
    const unsigned long args[6] = {uint32_t(regs->bx), uint32_t(regs->cx), uint32_t(regs->dx),
                                   uint32_t(regs->si), uint32_t(regs->di), uint32_t(regs->bp)};
    invoke_syscall(nr, args, regs, ia32_sys_call_table[nr], door);
}

}  // namespace

}  // namespace lstar::kernel

// entry_INT80_compat (or the #UD shim in do_exception) has built pt_regs; iretq returns.
extern "C" void do_int80_syscall_32(lstar::pt_regs* regs, lstar::abi::EntryVia via) {
    using namespace lstar;
    kernel::do_syscall_32(regs, {abi::Door::Int80, via, 32, ::entry_points.int80});
}

// entry_SYSENTER_compat (Intel only): ECX and EDX carried lstar's return RSP and RIP, not
// arguments 2 and 3, which therefore read as 0 (see entry_64.S).
extern "C" void do_fast_syscall_32(lstar::pt_regs* regs) {
    using namespace lstar;
    const uint64_t cx = regs->cx, dx = regs->dx;
    regs->cx = regs->dx = 0;
    kernel::do_syscall_32(regs, {abi::Door::Sysenter, abi::EntryVia::Hardware, 32, ::entry_points.sysenter});
    regs->cx = cx, regs->dx = dx;
}
