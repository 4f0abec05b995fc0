#include "run/narrator.hpp"

#include "common/json.hpp"
#include "common/syscall_names.hpp"
#include "cpu/decode.hpp"
#include "x86/exceptions.hpp"
#include "x86/msr.hpp"
#include "x86/selectors.hpp"

namespace lstar {

namespace {
std::string sym_of(uint64_t a, const SymbolTable& syms) {
    auto d = syms.describe(a);
    return d.empty() ? hex(a) : hex(a) + " <" + d + ">";
}
const char* signal_name(uint32_t s) {
    switch (s) {
    case 4: return "SIGILL";
    case 5: return "SIGTRAP";
    case 7: return "SIGBUS";
    case 8: return "SIGFPE";
    case 11: return "SIGSEGV";
    default: return "a signal";
    }
}
}  // namespace

std::string syscall_call_text(uint64_t nr, const uint64_t (&args)[6], unsigned abi_bits) {
    const char* name = abi_bits == 32 ? syscall_name32(nr) : syscall_name(nr);
    std::string s = name ? name : "syscall_" + std::to_string(nr);
    s += '(';
    // How many arguments to show: the common ones by name, otherwise all six.
    std::string n_ = name ? name : "";
    unsigned n = 6;
    if (n_ == "getpid" || n_ == "getppid" || n_ == "gettid" || n_ == "getuid" || n_ == "getgid") n = 0;
    else if (n_ == "exit" || n_ == "exit_group") n = 1;
    else if (n_ == "read" || n_ == "write") n = 3;
    for (unsigned i = 0; i < n; ++i) s += (i ? ", " : "") + hex(args[i]);
    return s + ')';
}

namespace {

std::string how_it_entered(const abi::SyscallEnterEvent& ev, const std::string& insn) {
    std::string at = hex(ev.user_rip - 2);
    std::string ran = "user code ran `" + (insn.empty() ? std::string("?") : insn) + "` at " + at;
    switch (ev.door) {
    case abi::Door::Int80:
        return ran + (ev.via == abi::EntryVia::UdShim
                          ? ": this host's CPU raised #UD instead of taking gate 0x80, and delivered that through the "
                            "IDT the same way a gate would: switched to the TSS.RSP0 stack and pushed "
                          : ": the CPU read IDT vector 0x80 (a DPL-3 gate), switched to the TSS.RSP0 stack and pushed ") +
               "SS, RSP, RFLAGS, CS, RIP there (ip=" + hex(ev.regs_ip) + " cs=" + hex(ev.regs_cs) +
               " flags=" + hex(ev.regs_flags) + " sp=" + hex(ev.regs_sp) + " ss=" + hex(ev.regs_ss) +
               "); the i386 ABI: EAX = number, EBX ECX EDX ESI EDI EBP = arguments\n";
    case abi::Door::Sysenter:
        return "user code ran `sysenter`: the CPU loaded CS from IA32_SYSENTER_CS, RIP from IA32_SYSENTER_EIP and RSP "
               "from IA32_SYSENTER_ESP, and saved nothing: the way back is the kernel's convention (user RIP " +
               hex(ev.user_rip) + ")\n";
    case abi::Door::Syscall:
    default:
        return ran + ": the CPU put the return RIP in RCX=" + hex(ev.user_rip) + ", RFLAGS in R11=" +
               hex(ev.user_rflags) + " and jumped to LSTAR (no IDT, no stack switch)\n";
    }
}

std::string host_workaround(const abi::SyscallEnterEvent& ev) {
    if (ev.via == abi::EntryVia::PfShim)
        return "\n     [host workaround] this host's KVM left the CPU at CPL 3 on SYSCALL; the fetch at LSTAR faulted "
               "(#PF, user ifetch) and the guest's #PF entry (syscall_pf_shim) completed the switch. "
               "On hardware KVM the CPU does this itself.";
    if (ev.via == abi::EntryVia::UdShim)
        return "\n     [host workaround] this host's KVM raised #UD for `int $0x80` instead of taking the gate; the "
               "guest's #UD entry saw the bytes cd 80 and continued as the gate would have. On hardware KVM the "
               "CPU takes the gate itself.";
    return ev.door == abi::Door::Syscall ? " (the CPU switched to CS=STAR[47:32] by itself)" : " (the CPU did it by itself)";
}

}  // namespace

std::string narrate_syscall_entry(unsigned index, const abi::SyscallEnterEvent& ev, const CpuState& observed,
                                  const SymbolTable& syms, const std::string& insn_at_return) {
    bool compat = ev.abi_bits == 32;
    std::string s = "syscall #" + std::to_string(index) + ": " + syscall_call_text(ev.nr, ev.args, compat ? 32 : 64) +
                    (compat ? "  [i386 ABI]" : "") + "\n";
    s += "  1. " + how_it_entered(ev, insn_at_return);
    std::string where = ev.door == abi::Door::Syscall ? "LSTAR " + sym_of(ev.lstar, syms) : "the entry";
    s += "  2. arrived at " + where + ", now at CPL " + std::to_string(observed.cpl()) + " (CS=" +
         hex(observed.sregs.cs.selector) + ")" + host_workaround(ev) + "\n";
    if (ev.entry_mode != uint32_t(abi::EntryMode::Direct))
        s += "     PTI: CR3 switched from the user page tables " + hex(ev.user_cr3) + " to the kernel's " +
             hex(observed.sregs.cr3) + "\n";
    s += "  3. swapgs: GS base is now " + sym_of(observed.sregs.gs.base, syms) + "; RSP is on the kernel stack (" +
         sym_of(observed.regs.rsp, syms) + ")";
    s += ev.door == abi::Door::Syscall ? ", the user RSP " + hex(ev.user_rsp) + " was saved in the per-CPU area\n"
                                       : "\n";
    s += "  4. pt_regs at " + sym_of(ev.pt_regs, syms) + " (orig_ax=" + std::to_string(ev.nr) + ", ip=" +
         hex(ev.regs_ip ? ev.regs_ip : ev.user_rip) + ", cs=" + hex(ev.regs_cs ? ev.regs_cs : x86::kUserCs) +
         ", sp=" + hex(ev.regs_sp ? ev.regs_sp : ev.user_rsp) + ")\n";
    s += std::string("  5. ") + (compat ? "do_int80_syscall_32 -> ia32_sys_call_table[" : "do_syscall_64 -> sys_call_table[") +
         std::to_string(ev.nr) + "] = " + sym_of(ev.handler, syms) + "\n";
    return s;
}

std::string narrate_syscall_exit(const abi::SyscallExitEvent& ev, const CpuState& observed, const SymbolTable& syms) {
    (void)syms;
    std::string ret = int64_t(ev.ret) < 0 && int64_t(ev.ret) > -4096 ? std::to_string(int64_t(ev.ret))
                                                                      : hex(ev.ret);
    std::string s = "  6. returned " + ret + " in RAX; ";
    if (ev.how == abi::ReturnVia::Iret) {
        s += "iretq from CPL " + std::to_string(observed.cpl()) + " popped RIP " + hex(ev.regs_ip) + ", CS " +
             hex(ev.regs_cs) + ", RFLAGS " + hex(ev.regs_flags) + ", RSP " + hex(ev.regs_sp) +
             ", SS " + hex(ev.regs_ss) + " from the kernel stack => back in user mode at CPL " +
             std::to_string(ev.regs_cs & 3);
    } else {
        s += "sysretq from CPL " + std::to_string(observed.cpl()) + ": RIP <- RCX " + hex(ev.rcx) +
             ", RFLAGS <- R11 " + hex(ev.r11) + ", CS <- STAR[63:48]+16 = " + hex(ev.sysret_cs) +
             ", SS <- STAR[63:48]+8 = " + hex(ev.sysret_ss) + " => back in user mode at CPL " +
             std::to_string(ev.sysret_cs & 3);
    }
    if (ev.user_cr3 && ev.user_cr3 != observed.sregs.cr3) s += " (CR3 back to the user tables " + hex(ev.user_cr3) + ")";
    return s + "\n";
}

std::string describe_exception(const abi::ExceptionEvent& ev, const SymbolTable& syms, const std::string& insn) {
    const auto& v = x86::kVectors[ev.vector & 31];
    std::string s = std::string(v.mnemonic) + " (" + v.name + ") at " + sym_of(ev.rip, syms) + " from CPL " +
                    std::to_string(ev.cs & 3) + ", error code " +
                    x86::decode_error_code(ev.vector, ev.error_code, ev.has_error_code);
    if (ev.vector == x86::kVecPF) s += ", CR2=" + hex(ev.cr2);
    if (!insn.empty()) s += ": " + insn;
    if (ev.action == abi::ExceptionAction::KillTask)
        s += "; the program was killed by " + std::string(signal_name(ev.signal));
    else if (ev.action == abi::ExceptionAction::Fixup)
        s += "; handled by the kernel (an emulated vsyscall), the program goes on";
    else
        s += "; kernel panic";
    return s;
}

}  // namespace lstar
