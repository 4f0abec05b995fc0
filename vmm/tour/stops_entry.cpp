// Stops 4-8: inside the kernel. Arguments and sys_call_table, exceptions, entry_SYSCALL_64 and
// pt_regs, the canonical-RCX check before sysret, the PTI trampoline.
#include "tour/cite.hpp"
#include "tour/stop.hpp"

namespace lstar::tour {

namespace {

Answer table(Runs& runs) {
    const Run& path = runs.get("path");
    const Run& nosys = runs.get("nosys");
    const Json& w = need(path.syscall_enter("write"), "write's syscall_enter event");
    Json ni;
    for (const auto& e : nosys.events("syscall_enter"))
        if (e.value("handler_sym", "") == "sys_ni_syscall") ni = e;
    need(ni, "a call that reached sys_ni_syscall (--init nosys)");
    const Json& ni_exit = need(nosys.syscall_exit(ni.value("nr", -1)), "the unknown call's syscall_exit");
    const auto& args = w["args"];
    Answer a;
    a.evidence = {
        format("write: RAX={}  RDI={} RSI={} RDX={} R10={} R8={} R9={}", w.value("nr", -1), str(args[0]), str(args[1]),
               str(args[2]), str(args[3]), str(args[4]), str(args[5])),
        format("  do_syscall_64 -> sys_call_table[{}] = {} <{}>", w.value("nr", -1), text(w, "handler"), text(w, "handler_sym")),
        format("nosys: RAX={} -> {} <{}>, returned {}", ni.value("nr", -1), text(ni, "handler"), text(ni, "handler_sym"),
               signed_ret(ni_exit)),
    };
    a.text = format(
        "In registers, never on a stack: the number in RAX and up to six arguments in RDI, RSI, RDX, R10, R8, R9 "
        "(R10, not RCX, because `syscall` overwrites RCX with the return RIP). The path run's write came in as RAX={}, "
        "RDI={}, RSI={}, RDX={}, and do_syscall_64 called sys_call_table[{}] = {} <{}>, the function "
        "SYSCALL_DEFINE3(write, ...) defines. Every slot no SYSCALL_DEFINE fills holds sys_ni_syscall: the nosys "
        "program's call {} reached {} <{}> and got {} (-ENOSYS).",
        w.value("nr", -1), str(args[0]), str(args[1]), str(args[2]), w.value("nr", -1), text(w, "handler"),
        text(w, "handler_sym"), ni.value("nr", -1), text(ni, "handler"), text(ni, "handler_sym"), signed_ret(ni_exit));
    return a;
}

Answer exceptions(Runs& runs) {
    const Run& pf = runs.get("pagefault");
    const Run& ud = runs.get("ud2");
    const Json& p = need(pf.events("exception").empty() ? Json() : pf.events("exception").front(), "the #PF event");
    const Json& u = need(ud.events("exception").empty() ? Json() : ud.events("exception").front(), "the #UD event");
    auto line = [](const Json& e) {
        return format("{} (vector {}) at {} `{}`: pushed SS={} RSP={} RFLAGS={} CS={} RIP={}{}; CR2={}", text(e, "mnemonic"),
                      e.value("vector", -1), text(e, "rip"), text(e, "insn"), text(e, "ss"), text(e, "rsp"), text(e, "rflags"),
                      text(e, "cs"), text(e, "rip"),
                      e.value("has_error_code", false) ? ", error code " + text(e, "error_decoded") : ", no error code",
                      text(e, "cr2"));
    };
    Answer a;
    a.evidence = {line(p), line(u)};
    a.text = format(
        "No arguments in registers, but the CPU pushes a frame on the kernel stack: SS, RSP, RFLAGS, CS, RIP, and for "
        "some vectors an error code. The pagefault program's `{}` raised {} (vector {}), which pushed error code {} "
        "and left the faulting address in CR2 ({}); `{}` raised {} (vector {}), which pushes none "
        "(has_error_code {}). Linux's idtentry macros push a dummy -1 for the vectors without one, so every "
        "handler gets the same pt_regs (orig_ax holds the error code).",
        text(p, "insn"), text(p, "mnemonic"), p.value("vector", -1), text(p, "error_decoded"), text(p, "cr2"),
        text(u, "insn"), text(u, "mnemonic"), u.value("vector", -1), u.value("has_error_code", false));
    return a;
}

Answer entry(Runs& runs) {
    const Run& path = runs.get("path");
    const auto steps = first_call_steps(path);
    const size_t call = find_step(steps, "do_syscall_64");
    if (steps.size() < 4 || call == steps.size()) throw Missing("the traced steps of getpid up to do_syscall_64");
    const Json& sc = need(path.syscall_enter("getpid"), "getpid's syscall_enter event");
    size_t pushes = 0, first_push = 0;
    for (size_t i = 0; i < call; ++i)
        if (text(steps[i], "insn").rfind("push", 0) == 0 && !pushes++) first_push = i;
    // The kernel stack is loaded by the step whose successor's RSP is the stack top.
    size_t load = 0;
    while (load + 1 < call && text(steps[load + 1], "rsp") == text(steps[0], "rsp")) ++load;
    Answer a;
    for (size_t i = 0; i <= load && i < steps.size(); ++i) a.evidence.push_back(step_line(steps[i]));
    a.evidence.push_back(step_line(steps[first_push]));
    a.evidence.push_back(format("      ... {} pushes in all build pt_regs ...", pushes));
    a.evidence.push_back(step_line(steps[call - 1]));
    a.evidence.push_back(step_line(steps[call]));
    a.text = format(
        "LSTAR sent the CPU to {} <{}> with the user's RSP {} and GS base {}. Its first instruction, `swapgs`, made the GS "
        "base {} (KERNEL_GS_BASE, the per-CPU area), so that the next two could save the user RSP in gs:[0x0] and load "
        "the kernel stack top {} from gs:[0x8]; then {} pushes built pt_regs at {}, and instruction {} called "
        "do_syscall_64(nr={}, regs={}). swapgs runs on every entry from user mode, syscall, interrupt or exception "
        "alike, and never when the CPU was already at CPL 0.",
        text(steps[0], "rip"), text(steps[0], "sym"), text(steps[0], "rsp"), text(steps[0], "gs_base"),
        text(steps[1], "gs_base"), text(steps[load + 1], "rsp"), pushes, text(sc, "pt_regs"),
        steps[call - 1].value("step", 0), sc.value("nr", -1), text(sc, "pt_regs"));
    return a;
}

Answer sysret(Runs& runs) {
    const Run& path = runs.get("path");
    const auto steps = first_call_steps(path);
    const Json& ex = need(path.syscall_exit(39), "getpid's syscall_exit event");
    size_t back = find_step(steps, "do_syscall_64");
    // Back in the entry code after do_syscall_64 returned: the check runs there, up to the pops.
    back = find_step(steps, "entry_SYSCALL_64_after_hwframe", back);
    const size_t pops = find_step(steps, "entry_SYSCALL_64_restore_regs", back);
    if (back == steps.size() || pops == steps.size()) throw Missing("the traced steps between do_syscall_64 and sysretq");
    const Json& last = steps.back();
    Answer a;
    for (size_t i = back; i < pops; ++i) a.evidence.push_back(step_line(steps[i]));
    a.evidence.push_back(step_line(last));
    const uint64_t rcx = u64(ex["rcx"]);
    const bool canonical = uint64_t(int64_t(rcx << 16) >> 16) == rcx;
    a.text = format(
        "`sysretq` loads RIP from RCX without checking it: on Intel CPUs a non-canonical RCX raises #GP still in ring 0, "
        "on the user's stack and with the user's GS already swapped back (CVE-2012-0217), so the kernel checks "
        "pt_regs->ip itself and takes `iretq` when it would not be safe. Here the {} instructions from {} to {} "
        "compared CS {} and SS {} with __USER_CS/__USER_DS and sign-extended RCX {} from bit 47: it is {}, so the "
        "kernel reached `{}` at {} <{}>.",
        pops - back, steps[back].value("step", 0), steps[pops - 1].value("step", 0), text(ex, "regs_cs"),
        text(ex, "regs_ss"), text(ex, "rcx"), canonical ? "canonical" : "NOT canonical", text(last, "insn"),
        text(last, "rip"), text(last, "sym"));
    return a;
}

Answer pti(Runs& runs) {
    const Run& pti = runs.get("pti");
    const Run& path = runs.get("path");
    const auto um = pti.records("user_mappings");
    const auto dm = path.records("user_mappings");
    const Json& u = need(um.empty() ? Json() : um.front(), "the user_mappings record of the pti run");
    const Json& d = need(dm.empty() ? Json() : dm.front(), "the user_mappings record of the path run");
    Answer a;
    std::vector<Json> switches;
    for (const auto& s : first_call_steps(pti))
        if (text(s, "insn").rfind("mov cr3", 0) == 0) switches.push_back(s);
    need(switches.empty() ? Json() : switches.front(), "a traced `mov cr3` in the pti run");
    a.evidence.push_back(format("pti: LSTAR {} <{}>", text(pti.setup(), "lstar"), text(pti.setup(), "lstar_sym")));
    for (const auto& s : switches) a.evidence.push_back(step_line(s));
    for (const auto& r : u["ranges"])
        a.evidence.push_back(format("pti user CR3 {} maps {}-{} {}{}{}", text(u, "user_cr3"), text(r, "start"),
                                    text(r, "end"), r.value("writable", false) ? "rw" : "r-",
                                    r.value("executable", false) ? "x" : "-",
                                    near_sym(text(r, "sym")).empty() ? "" : " <" + near_sym(text(r, "sym")) + ">"));
    a.evidence.push_back(format("{}: user CR3 {} maps {} bytes of the kernel half in {} ranges", text(d, "entry_mode"),
                                text(d, "user_cr3"), d.value("bytes", 0), d["ranges"].size()));
    a.text = format(
        "With --entry pti, LSTAR is {} <{}>, in the per-CPU entry area, because the user page tables map nothing "
        "else of the kernel: the user CR3 {} maps {} bytes of the kernel half ({} ranges), against {} bytes with "
        "--entry {} (CR3 {}). The trampoline's `mov cr3` at step {} switched from {} to the kernel CR3 {} before it "
        "touched the kernel stack, and {} `mov cr3` in all ran for one getpid: a Meltdown read from user mode finds "
        "no kernel data mapped.",
        text(pti.setup(), "lstar"), text(pti.setup(), "lstar_sym"), text(u, "user_cr3"), u.value("bytes", 0),
        u["ranges"].size(), d.value("bytes", 0), text(d, "entry_mode"), text(d, "user_cr3"),
        switches.front().value("step", 0), text(switches.front(), "cr3"), text(u, "kernel_cr3"), switches.size());
    return a;
}

}  // namespace

std::vector<Stop> entry_stops() {
    return {
        {"table", "How are a system call's arguments passed? How does SYSCALL_DEFINE become a sys_call_table entry, "
                  "and what is sys_ni_syscall for?",
         "syscall 的参数传递 / 后面还分析一下: DEFINE_SYSCALL 之类的东西，很基础", {"path", "nosys"}, table,
         "Linux arch/x86/entry/common.c do_syscall_64(), arch/x86/entry/syscall_64.c sys_call_table, "
         "include/linux/syscalls.h SYSCALL_DEFINEx, kernel/sys_ni.c; System V AMD64 ABI A.2.1; lstar docs/tracing.md",
         {"path"}},
        {"exceptions", "Exceptions arrive through the IDT \"without parameters\". What does the CPU push, with and "
                       "without an error code?",
         "idt 中间的 exception 的分析，似乎是没有参数的吧!", {"pagefault", "ud2"}, exceptions,
         "Linux arch/x86/include/asm/idtentry.h (DECLARE_IDTENTRY_ERRORCODE), arch/x86/mm/fault.c exc_page_fault(); "
         "Intel SDM Vol. 3A 6.13 (Error Code), 6.15 (#PF, #UD); lstar docs/exit-log.md (exception)",
         {}},
        {"entry", "How is entry_SYSCALL_64 reached, and what do swapgs, the stack switch and pt_regs do?",
         "entry_SYSCALL_64 ... 是如何进入到 entry_SYSCALL_64 中间的 / swapgs 是只有syscall 才如何使用，还是所有都是如此",
         {"path"}, entry,
         "Linux arch/x86/entry/entry_64.S entry_SYSCALL_64, arch/x86/include/asm/ptrace.h struct pt_regs; Intel SDM "
         "Vol. 2B SWAPGS; lstar docs/tracing.md (--trace path)",
         {"path", "pt_regs"}},
        {"sysret", "Why does sysret need the canonical-RCX check?", "(the notes' entry_SYSCALL_64 analysis, on the way back)",
         {"path"}, sysret,
         "Linux arch/x86/entry/entry_64.S (syscall_return_via_sysret), arch/x86/entry/common.c; Intel SDM Vol. 2B "
         "SYSRET (#GP); CVE-2012-0217; lstar guest/kernel/entry_64.S",
         {"path"}},
        {"pti", "What is the PTI trampoline, and what does a user CR3 still map?",
         "if (static_cpu_has(X86_FEATURE_PTI)) wrmsrl(MSR_LSTAR, SYSCALL64_entry_trampoline);", {"pti", "path"}, pti,
         "Linux arch/x86/mm/pti.c, arch/x86/entry/entry_64.S (SWITCH_TO_KERNEL_CR3), Documentation/x86/pti.rst; "
         "Intel SDM Vol. 3A 4.10.1 (PCID); lstar docs/entry-modes.md",
         {"path", "mappings"}},
    };
}

}  // namespace lstar::tour
