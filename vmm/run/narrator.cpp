#include "run/narrator.hpp"

#include "run/json.hpp"
#include "run/syscall_names.hpp"
#include "x86/decode.hpp"
#include "x86/exceptions.hpp"
#include "x86/msr.hpp"
#include "x86/selectors.hpp"

namespace lstar {

namespace {
std::string sym_of(uint64_t a, const SymbolTable& syms) {
    auto d = syms.describe(a);
    return d.empty() ? hex_string(a) : hex_string(a) + " <" + d + ">";
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

std::string syscall_call_text(uint64_t nr, const uint64_t (&args)[6]) {
    const char* name = syscall_name(nr);
    std::string s = name ? name : "syscall_" + std::to_string(nr);
    s += '(';
    // How many arguments to show: the common ones by name, otherwise all six.
    unsigned n = 6;
    if (nr == 39 || nr == 110 || nr == 186 || nr == 102 || nr == 104) n = 0;  // getpid getppid gettid getuid getgid
    else if (nr == 60 || nr == 231) n = 1;                                    // exit, exit_group
    else if (nr == 0 || nr == 1) n = 3;                                       // read, write
    for (unsigned i = 0; i < n; ++i) s += (i ? ", " : "") + hex_string(args[i]);
    return s + ')';
}

std::string narrate_syscall_entry(unsigned index, const abi::SyscallEnterEvent& ev, const CpuState& observed,
                                  const SymbolTable& syms, const std::string& insn_at_return) {
    std::string s = "syscall #" + std::to_string(index) + ": " + syscall_call_text(ev.nr, ev.args) + "\n";
    s += "  1. user code ran `" + (insn_at_return.empty() ? std::string("?") : insn_at_return) + "` at " +
         hex_string(ev.user_rip - 2) + ": the CPU put the return RIP in RCX=" + hex_string(ev.user_rip) +
         ", RFLAGS in R11=" + hex_string(ev.user_rflags) + " and jumped to LSTAR (no IDT, no stack switch)\n";
    s += "  2. arrived at LSTAR " + sym_of(ev.lstar, syms) + ", now at CPL " + std::to_string(observed.cpl()) +
         " (CS=" + hex_string(observed.sregs.cs.selector) + ")";
    if (ev.via == abi::EntryVia::PfShim)
        s += "\n     [host workaround] this host's KVM left the CPU at CPL 3 on SYSCALL; the fetch at LSTAR faulted "
             "(#PF, user ifetch) and the guest's #PF entry (syscall_pf_shim) completed the switch. "
             "On hardware KVM the CPU does this itself.";
    else
        s += " (the CPU switched to CS=STAR[47:32] by itself)";
    s += "\n  3. swapgs: GS base is now " + sym_of(observed.sregs.gs.base, syms) + "; the user RSP " +
         hex_string(ev.user_rsp) + " was saved in the per-CPU area and RSP now points into the kernel stack (" +
         sym_of(observed.regs.rsp, syms) + ")\n";
    s += "  4. pt_regs built at " + sym_of(ev.pt_regs, syms) + " (orig_ax=" + std::to_string(ev.nr) +
         ", ip=RCX, flags=R11, sp=user RSP, cs=" + hex_string(x86::kUserCs) + ", ss=" + hex_string(x86::kUserDs) + ")\n";
    s += "  5. do_syscall_64 -> sys_call_table[" + std::to_string(ev.nr) + "] = " + sym_of(ev.handler, syms) + "\n";
    return s;
}

std::string narrate_syscall_exit(const abi::SyscallExitEvent& ev, const CpuState& observed, const SymbolTable& syms) {
    (void)syms;
    std::string ret = int64_t(ev.ret) < 0 && int64_t(ev.ret) > -4096 ? std::to_string(int64_t(ev.ret))
                                                                      : hex_string(ev.ret);
    return "  6. returned " + ret + " in RAX; sysretq from CPL " + std::to_string(observed.cpl()) + ": RIP <- RCX " +
           hex_string(ev.rcx) + ", RFLAGS <- R11 " + hex_string(ev.r11) + ", CS <- STAR[63:48]+16 = " +
           hex_string(ev.sysret_cs) + ", SS <- STAR[63:48]+8 = " + hex_string(ev.sysret_ss) + " => back in user mode at CPL " +
           std::to_string(ev.sysret_cs & 3) + (x86::is_canonical(ev.rcx) ? "" : " (RCX not canonical: returned with iretq)") +
           "\n";
}

std::string decode_error_code(uint64_t vector, uint64_t code, bool has_code) {
    if (!has_code) return "none";
    if (vector == x86::kVecPF) return hex_string(code) + " (" + x86::describe_pf_error(code) + ")";
    if (vector == 10 || vector == 11 || vector == 12 || vector == x86::kVecGP || vector == 17)
        return hex_string(code) + " (" + x86::describe_selector_error(code) + ")";
    return hex_string(code);
}

std::string describe_exception(const abi::ExceptionEvent& ev, const SymbolTable& syms, const std::string& insn) {
    const auto& v = x86::kVectors[ev.vector & 31];
    std::string s = std::string(v.mnemonic) + " (" + v.name + ") at " + sym_of(ev.rip, syms) + " from CPL " +
                    std::to_string(ev.cs & 3) + ", error code " +
                    decode_error_code(ev.vector, ev.error_code, ev.has_error_code);
    if (ev.vector == x86::kVecPF) s += ", CR2=" + hex_string(ev.cr2);
    if (!insn.empty()) s += ": " + insn;
    if (ev.action == abi::ExceptionAction::KillTask)
        s += "; the program was killed by " + std::string(signal_name(ev.signal));
    else
        s += "; kernel panic";
    return s;
}

}  // namespace lstar
