// Stops 9-10: the three doors into the kernel, and the calls that need no door (vDSO, vsyscall).
#include <cstdlib>

#include "tour/cite.hpp"
#include "tour/stop.hpp"

namespace lstar::tour {

namespace {

// The first syscall_enter through `door` that is not the program's own write or exit.
Json door_call(const Run& r, const std::string& door) {
    for (const auto& e : r.events("syscall_enter"))
        if (e.value("door", "") == door && e.value("name", "") == "getpid") return e;
    return nullptr;
}

std::string door_line(const Run& r, const Json& e) {
    const Json ex = r.syscall_exit(e.value("nr", -1));
    return format("{:<8} {} at {}: nr {} ({}-bit ABI) -> {} <{}> -> {} <{}>, via {}, back by {}", text(e, "door"),
                  text(e, "user_insn"), door_insn_at(e), e.value("nr", -1), e.value("abi_bits", 0), text(e, "lstar"),
                  text(e, "lstar_sym"), text(e, "handler"), text(e, "handler_sym"), text(e, "via"),
                  ex.is_null() ? "?" : text(ex, "how"));
}

Answer doors(Runs& runs) {
    const Run& sc = runs.get("door_syscall");
    const Run& i80 = runs.get("door_int80");
    const Run& se = runs.get("door_sysenter");
    const Json& s = need(door_call(sc, "syscall"), "door_syscall's getpid");
    const Json& g = need(door_call(i80, "int80"), "door_int80's getpid");
    Answer a;
    a.evidence = {door_line(sc, s), door_line(i80, g)};
    const Json e = door_call(se, "sysenter");
    std::string sysenter;
    if (!e.is_null()) {
        a.evidence.push_back(door_line(se, e));
        sysenter = format("`sysenter` reached {} <{}> through IA32_SYSENTER_EIP, with no return address saved at all",
                          text(e, "lstar"), text(e, "lstar_sym"));
    } else {
        std::string why;
        for (const auto& l : se.events("log"))
            if (text(l, "text").find("sysenter") != std::string::npos) why = text(l, "text");
        need(why.empty() ? Json() : Json(why), "door_sysenter's syscall or the kernel's report of its #UD");
        a.evidence.push_back("sysenter  " + why);
        a.evidence.push_back("          " + out_line(se, "sysenter: CPU vendor"));
        const std::string vendor_line = out_line(se, "sysenter: CPU vendor");
        const std::string vendor = vendor_line.substr(vendor_line.rfind(' ') + 1);
        sysenter = "`sysenter` did not enter at all on this " + vendor + " CPU: it raised #UD in 64-bit mode, and the "
                   "kernel said so (\"" + why.substr(0, why.find(';')) + "\"); on Intel CPUs it enters through "
                   "IA32_SYSENTER_EIP and saves no return address at all";
    }
    a.text = format(
        "Where the CPU finds the entry, what it saves, and the ABI. `syscall` jumped to LSTAR ({} <{}>) saving only "
        "RCX and R11, and getpid was number {} of the 64-bit table, back by {}; `int $0x80` went through IDT gate "
        "0x80 to {} <{}> with a frame the CPU pushed, and getpid was number {} of the i386 table, back by {}. {}.",
        text(s, "lstar"), text(s, "lstar_sym"), s.value("nr", -1), text(sc.syscall_exit(s.value("nr", -1)), "how"),
        text(g, "lstar"), text(g, "lstar_sym"), g.value("nr", -1), text(i80.syscall_exit(g.value("nr", -1)), "how"),
        sysenter);
    return a;
}

// "<label>  N calls  C cycles/call  X ns/call" from vdso_bench's output: X, or -1.
double ns_per_call(const Run& r, const std::string& label) {
    const std::string l = out_line(r, label);
    const auto at = l.rfind(" ns/call");
    if (l.empty() || at == std::string::npos) return -1;
    const auto sp = l.rfind(' ', at - 1);
    return std::strtod(l.c_str() + sp + 1, nullptr);
}

Answer vdso(Runs& runs) {
    const Run& bench = runs.get("vdso_bench");
    const Run& vs = runs.get("vsyscall");
    const double v = ns_per_call(bench, "vDSO clock_gettime"), s = ns_per_call(bench, "syscall clock_gettime");
    if (v <= 0 || s <= 0) throw Missing("vdso_bench's vDSO and syscall timings");
    size_t clock_calls = 0;
    for (const auto& e : bench.events("syscall_enter")) clock_calls += e.value("name", "") == "clock_gettime";
    const auto faults = vs.events("exception");
    const Json& f = need(faults.empty() ? Json() : faults.front(), "a vsyscall page fault (--init vsyscall_test)");
    Answer a;
    a.evidence = {out_line(bench, "vDSO clock_gettime"), out_line(bench, "syscall clock_gettime"),
                  out_line(bench, "vsyscall time()"),
                  format("exit log: {} clock_gettime syscalls entered the kernel, {} VM exits in all", clock_calls,
                         bench.end().value("exits", 0)),
                  format("vsyscall_test: {} at {} (error {}), action {}, {} such faults", text(f, "mnemonic"),
                         text(f, "rip"), text(f, "error_decoded"), text(f, "action"), faults.size())};
    a.text = format(
        "The vDSO is code the kernel maps into every process, so clock_gettime runs in ring 3 and reads the time "
        "from the vvar page: {:.1f} ns a call here against {:.1f} ns for the real syscall ({:.0f}x), and the exit "
        "log counts {} clock_gettime syscalls, all from the syscall half of the bench. Only calls that read what the "
        "kernel publishes (time, gettimeofday, getcpu) can work that way; anything that changes kernel state needs "
        "the door. The vsyscall page sits at a fixed address in every process, a ready-made gadget for attacks, so "
        "modern kernels make it fault: vsyscall_test's call to {} raised {} and the kernel emulated it ({}), {} times.",
        v, s, s / v, clock_calls, text(f, "rip"), text(f, "mnemonic"), text(f, "action"), faults.size());
    return a;
}

}  // namespace

std::vector<Stop> door_stops() {
    return {
        {"doors", "What separates `syscall`, `int $0x80` and `sysenter`?", "syscall , int 80 和 sysenter 之间的区别是什么 ?",
         {"door_syscall", "door_int80", "door_sysenter"}, doors,
         "Linux arch/x86/entry/entry_64.S entry_SYSCALL_64, arch/x86/entry/entry_64_compat.S entry_INT80_compat and "
         "entry_SYSENTER_compat; Intel SDM Vol. 2B SYSENTER, INT n; AMD APM Vol. 3 SYSENTER (#UD in long mode); "
         "lstar docs/entry-modes.md (the three doors)",
         {"doors"}},
        {"vdso", "vsyscall or vDSO: why is one so much faster, which calls can it serve, and why is the vDSO safer?",
         "所以什么样的syscall可以通过vdso 简化，什么样的不可以使用 / 为什么vdso 可以防止攻击，而vsyscall不可以",
         {"vdso_bench", "vsyscall"}, vdso,
         "Linux arch/x86/entry/vdso/vclock_gettime.c, arch/x86/entry/vsyscall/vsyscall_64.c emulate_vsyscall(); "
         "lstar docs/vdso.md",
         {}},
    };
}

}  // namespace lstar::tour
