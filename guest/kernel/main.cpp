// start_kernel: from the boot protocol's entry state to the first user instruction
// (compare Linux's init/main.c: start_kernel, kernel_init, run_init_process).
//
// Every ring-0 instruction costs about 1 us on this host, so this path is short on purpose: a
// 32-gate IDT, a bump allocator, a handful of page-table entries, one ELF, one stack page. No
// zeroing (the monitor's RAM is zero), no banner, no loops over memory.
#include "binfmt.hpp"
#include "exec.hpp"
#include "fs.hpp"
#include "syscall_nr.hpp"
#include "user_programs.hpp"
#include "cmdline.hpp"
#include "events.hpp"
#include "idt.hpp"
#include "mm.hpp"
#include "option_names.hpp"
#include "printk.hpp"
#include "processor.hpp"
#include "string.hpp"
#include "time.hpp"
#include "x86/descriptor.hpp"
#include "x86/msr.hpp"
#include "x86/paging.hpp"
#include "x86/selectors.hpp"

namespace lstar::kernel {

const boot::BootInfo* boot_info;
abi::EntryMode entry_mode = abi::EntryMode::Direct;

namespace {

constexpr long kExitNoPcid = 125;  // lstar.entry=pti-pcid on a CPU without PCID

/*
 * Linux's syscall_init() (arch/x86/kernel/cpu/common.c). The only place this kernel touches the
 * syscall MSRs: with `--msr-setup guest` the monitor traps every access, so nothing on a hot path
 * may rdmsr/wrmsr them (LSTAR is remembered in the entry area, the GS base is percpu_area.self).
 * STAR/LSTAR/FMASK/KERNEL_GS_BASE/EFER.SCE are the monitor's when BootInfo says so (lstar's 64-bit
 * protocol); the SYSENTER MSRs are always the kernel's, as Linux with IA32 emulation sets them:
 * CS = __KERNEL_CS, ESP = where entries from ring 3 land (TSS.RSP0), EIP = entry_SYSENTER_compat.
 */
void syscall_init(uint64_t lstar) {
    cea_vars().lstar = lstar;
    if (!(boot_info->flags & boot::kFlagMsrsByMonitor)) {
        wrmsr(x86::kMsrStar, x86::kStar);
        wrmsr(x86::kMsrLstar, lstar);
        wrmsr(x86::kMsrSyscallMask, x86::kSyscallMask);
        wrmsr(x86::kMsrKernelGsBase, reinterpret_cast<uint64_t>(&::percpu_area));
        wrmsr(x86::kMsrEfer, rdmsr(x86::kMsrEfer) | x86::kEferSce);
    }
    wrmsr(x86::kMsrSysenterCs, x86::kKernelCs);
    wrmsr(x86::kMsrSysenterEsp, reinterpret_cast<const x86::Tss64*>(cpu_tss)->rsp[0]);
    wrmsr(x86::kMsrSysenterEip, entry_points.sysenter);
}

abi::EntryMode parse_entry_mode(const char* s) {
    for (const auto& m : abi::kEntryModes)
        if (lib::streq(s, m.name)) return m.value;
    pr_err("lstar.entry=%s: unknown (direct, pti, pti-pcid); using direct", s);
    return abi::kEntryModes[0].value;
}

bool cpu_has_pcid() {
    uint32_t a, b, c, d;
    cpuid(1, a, b, c, d);
    return c & (1u << 17);  // CPUID.01H:ECX.PCID[bit 17]
}

bool broken_idt_for_user;  // lstar.crash=user-triple

// lstar.crash=...: ways for the monitor's tests to make the kernel fail on purpose.
void crash_test(const char* how) {
    auto is = [how](const char* s) { return lib::streq(how, s); };
    if (is("triple")) {
        // No IDT: #UD cannot be delivered -> #GP cannot either -> #DF cannot -> triple fault.
        idt_invalidate();
        asm volatile("ud2");
    } else if (is("kspin")) {
        asm volatile("1: jmp 1b");  // ring 0 never comes back; the monitor must time out
    } else if (is("kpanic")) {
        asm volatile("ud2");  // #UD in ring 0 -> do_exception -> Kernel panic -> cli; hlt
    } else if (is("user-triple")) {
        // Enter the user program with an empty IDT: its first exception (or, on a host that needs
        // the #PF shim, its first syscall) cannot be delivered: #GP, then #DF, then triple fault,
        // with the CPU in ring 3.
        broken_idt_for_user = true;
        return;
    } else if (is("stack")) {
        // A kernel function that calls itself forever, on the task stack (as a syscall would run):
        // the call that crosses task_stack pushes into the guard page (#PF), the #PF frame cannot
        // be pushed either (#DF), and #DF runs on IST1: do_exception reports a stack overflow.
        asm volatile("movq %0, %%rsp\n"
                     "1: call 1b" : : "r"(VMAP_STACK_BASE + 0x5000)  /* task_stack_top */ : "memory");
    }
    pr_err("lstar.crash=%s: unknown (triple, kspin, kpanic, user-triple, stack); ignored", how);
}

[[noreturn]] void no_such_program(const char* name) {
    char list[abi::kLogMax / 2];  // the names, space-separated: one log line, one VM exit
    unsigned n = 0;
    for (unsigned i = 0; i < user_programs_count; i++) {
        if (n && n < sizeof list - 1) list[n++] = ' ';
        for (const char* s = user_programs[i].name; *s && n < sizeof list - 1; s++) list[n++] = *s;
    }
    list[n] = '\0';
    pr_err("init=%s: no such program (available: %s)", name, list);
    do_exit(127);  // as a shell's "command not found"
}

}  // namespace

}  // namespace lstar::kernel

extern "C" void start_kernel(uint64_t bootinfo_phys, uint64_t magic) {
    using namespace lstar;
    using namespace lstar::kernel;

    if (magic != boot::kBootMagic) {
        pr_emerg("Kernel panic: entered without lstar's boot magic (rsi=%lx)", magic);
        halt_forever();
    }
    boot_info = phys_to_virt<const boot::BootInfo>(bootinfo_phys);
    if (boot_info->magic != boot::kBootInfoMagic || boot_info->version != boot::kBootInfoVersion) {
        pr_emerg("Kernel panic: bad BootInfo at %lx (magic %x version %u)", bootinfo_phys, boot_info->magic,
                 boot_info->version);
        halt_forever();
    }
    guest_events = boot_info->flags & boot::kFlagGuestEvents;

    // The cpu_entry_area: its page tables are static (cpu_entry_area.S); hook them into PML4 slot
    // 508 of the monitor's page table (PVH's early_top_pgt has them already). Then the IDT, whose
    // gates point into it.
    current_pgd_phys = boot_info->boot_pml4_phys;
    if (!pvh_boot) {
        phys_to_virt<uint64_t>(current_pgd_phys)[CEA_PML4_INDEX] =
            x86::pte(virt_to_phys(cea_pgt_pud), x86::kPtePresent | x86::kPteWrite);
        // The task stack's range with its guard page (percpu.S), also static.
        phys_to_virt<uint64_t>(current_pgd_phys)[VMAP_STACK_PML4_INDEX] =
            x86::pte(virt_to_phys(task_stack_pud), x86::kPtePresent | x86::kPteWrite);
    }
    idt_setup_traps();

    Cmdline cmd;
    parse_cmdline(boot_info->cmdline, cmd);
    entry_mode = parse_entry_mode(cmd.entry);
    if (pvh_boot)
        pr_info("lstar: booted through PVH (32-bit entry pvh_start_xen), lstar.entry=%s", cmd.entry);
    const bool pcid = entry_mode == abi::EntryMode::PtiPcid;
    if (pcid && !cpu_has_pcid()) {
        pr_err("lstar.entry=pti-pcid: this CPU has no PCID (CPUID.01H:ECX.PCID[bit 17] is 0); stopping");
        do_exit(kExitNoPcid);
    }
    memblock_init(boot_info->free_phys_start, boot_info->free_phys_end);
    if (pti_on() && !pti_init(pcid)) {
        pr_err("lstar.entry=%s: no memory for the page-table pair", cmd.entry);
        do_exit(126);
    }
    syscall_init(pti_on() ? entry_points.syscall_64_trampoline : entry_points.syscall_64);
    timekeeping_init(*boot_info);
    if (!map_vsyscall(cmd.vsyscall)) {
        pr_err("vsyscall: no memory for the page tables");
        do_exit(126);
    }
    if (cmd.crash) crash_test(cmd.crash);

    // run_init_process: the program from the initramfs (init=/path) or built in (init=NAME).
    current.pid = 1;
    files_init();
    ExecArgs& args = exec_args_buffer();
    if (!args_from_block(*boot_info, args, cmd.init)) {
        args.used = args.argc = args.envc = 0;
        for (unsigned i = 0; i < cmd.argc; i++)
            if (!exec_args_add(args, cmd.argv[i], strlen(cmd.argv[i]))) args.argc++;
        for (unsigned i = 0; i < cmd.envc; i++)
            if (!exec_args_add(args, cmd.envp[i], strlen(cmd.envp[i]))) args.envc++;
    }
    UserStart start;
    if (long e = do_execve(cmd.init, args, start)) {
        if (e == -err::kENOENT) no_such_program(cmd.init);
        pr_err("Failed to execute %s (error %ld)", cmd.init, e);
        do_exit(126);  // as a shell's "cannot execute"
    }
    if (guest_events) report_user_enter(start);
    if (broken_idt_for_user) {
        // Pages are faulted in on demand: touch the first code and stack pages now, so that the
        // first exception is the program's own (ud2), not the #PF of its first fetch.
        user_range_accessible(start.entry, 1, false);
        user_range_accessible(start.sp - 256, 256, true);
        idt_invalidate();
    }
    entry_points.enter_user_mode(start.entry, start.sp);
    __builtin_unreachable();
}
