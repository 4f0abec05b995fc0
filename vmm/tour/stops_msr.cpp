// Stops 1-3: the MSRs that make `syscall` work. wrmsr and LSTAR, no IDT, STAR's selectors.
#include "tour/cite.hpp"
#include "tour/stop.hpp"

namespace lstar::tour {

namespace {

Answer lstar_msr(Runs& runs) {
    const Run& msr = runs.get("msr");
    const Run& path = runs.get("path");
    Answer a;
    Json lstar_write;
    for (const auto& m : msr.records("msr")) {
        if (m.value("op", "") != "wrmsr") continue;
        a.evidence.push_back(format("wrmsr {:<20} ECX={}  EDX:EAX <- {} {}  at {}", text(m, "msr"), text(m, "index"),
                                    text(m, "value"), m.value("sym", "").empty() ? text(m, "decoded") : "<" + text(m, "sym") + ">",
                                    m.value("rip_sym", "").empty() ? text(m, "rip") : text(m, "rip_sym")));
        if (m.value("msr", "") == "IA32_LSTAR") lstar_write = m;
    }
    need(lstar_write, "a trapped wrmsr of IA32_LSTAR (run: lstar run --msr-setup guest)");
    const Json& entry = need(path.traces("syscall_entry").empty() ? Json() : path.traces("syscall_entry").front(),
                             "a traced syscall entry (--trace path)");
    a.evidence.push_back(format("first getpid (path run, LSTAR {} <{}>): the vCPU stopped at {} <{}>, CPL {}",
                                text(path.setup(), "lstar"), text(path.setup(), "lstar_sym"), text(entry, "rip"),
                                text(entry, "sym"), entry.value("cpl", -1)));
    a.text = format(
        "`wrmsr` writes EDX:EAX into the model-specific register that ECX names; it is privileged (CPL 0 only). "
        "Booted with --msr-setup guest, this kernel's {} executed it with ECX={} (IA32_LSTAR) and EDX:EAX={} <{}>, "
        "and the monitor trapped and logged the write. The CPU keeps that address and jumps there on every `syscall`: "
        "the path run's first getpid stopped at {} <{}>, which is its LSTAR ({}), already at CPL {}.",
        text(lstar_write, "rip_sym"), text(lstar_write, "index"), text(lstar_write, "value"), text(lstar_write, "sym"),
        text(entry, "rip"), text(entry, "sym"), text(path.setup(), "lstar"), entry.value("cpl", -1));
    return a;
}

Answer no_idt(Runs& runs) {
    const Run& path = runs.get("path");
    const Run& int80 = runs.get("door_int80");
    const auto steps = first_call_steps(path);
    const Json& first = need(steps.empty() ? Json() : steps.front(), "a traced step of getpid (--trace path)");
    const Json& sc = need(path.syscall_enter("getpid"), "getpid's syscall_enter event");
    const Json& gate = need(int80.syscall_enter("getpid"), "door_int80's getpid event");
    Answer a;
    a.evidence = {
        format("syscall at {} (RCX-2; RCX = {}): R11={}  user RSP {}", door_insn_at(sc), text(sc, "user_rip"),
               text(sc, "user_rflags"), text(sc, "user_rsp")),
        format("first kernel instruction: {} <{}> `{}`  RSP={}  (LSTAR = {})", text(first, "rip"), text(first, "sym"),
               text(first, "insn"), text(first, "rsp"), text(path.setup(), "lstar")),
        format("int $0x80 (door_int80) at {}: entered {} <{}>, frame pushed by the CPU at pt_regs {}: "
               "SS={} RSP={} RFLAGS={} CS={} RIP={}",
               door_insn_at(gate), text(gate, "lstar"), text(gate, "lstar_sym"), text(gate, "pt_regs"), text(gate, "regs_ss"),
               text(gate, "regs_sp"), text(gate, "regs_flags"), text(gate, "regs_cs"), text(gate, "regs_ip")),
    };
    a.text = format(
        "No: `syscall` reads no gate. The first instruction after it was {} <{}>, the value of LSTAR itself, and RSP was "
        "still the user's {}: the CPU pushed nothing and switched no stack, it only put the return RIP in RCX ({}) and "
        "RFLAGS in R11 ({}). `int $0x80` does take the IDT: vector 0x80 sent door_int80 to {} <{}>, and the CPU itself "
        "pushed SS, RSP, RFLAGS, CS, RIP ({}, {}, {}, {}, {}) on the TSS.RSP0 stack.",
        text(first, "rip"), text(first, "sym"), text(first, "rsp"), text(sc, "user_rip"), text(sc, "user_rflags"),
        text(gate, "lstar"), text(gate, "lstar_sym"), text(gate, "regs_ss"), text(gate, "regs_sp"), text(gate, "regs_flags"),
        text(gate, "regs_cs"), text(gate, "regs_ip"));
    return a;
}

Answer star(Runs& runs) {
    const Run& path = runs.get("path");
    const Json& s = path.setup();
    const uint64_t star = u64(s["star"]);
    const uint64_t k = (star >> 32) & 0xffff, u = star >> 48;
    const Json& ue = need(path.events("user_enter").empty() ? Json() : path.events("user_enter").front(), "a user_enter event");
    const Json& ex = need(path.syscall_exit(39), "getpid's syscall_exit event");
    Answer a;
    a.evidence = {
        format("STAR = {}  ({})", text(s, "star"), text(s, "star_decoded")),
        format("STAR[47:32] = {}  -> syscall: CS = {} ({}), SS = {}+8 = {} ({})", hex(k), hex(k), gdt_name(s, k), hex(k),
               hex(k + 8), gdt_name(s, k + 8)),
        format("STAR[63:48] = {}  ({} | RPL 3) -> sysretq: CS = {}+16 = {} ({}), SS = {}+8 = {} ({})", hex(u),
               gdt_name(s, u), hex(u), hex(u + 16), gdt_name(s, u + 16), hex(u), hex(u + 8), gdt_name(s, u + 8)),
        format("the kernel entered ring 3 with CS={} SS={}; getpid's sysretq returned with CS={} SS={}, CPL {}",
               text(ue, "cs"), text(ue, "ss"), text(ex, "sysret_cs"), text(ex, "sysret_ss"), ex.value("return_cpl", -1)),
    };
    a.text = format(
        "Because `syscall` and `sysret` load CS and SS without reading the GDT: they take fixed selectors from STAR and "
        "only assume the descriptors behind them. This run's STAR is {}: bits 47:32 are {} ({}), so syscall loaded CS={} "
        "and SS={} ({}); bits 63:48 are {} ({} with RPL 3), so sysretq loaded CS={} ({}) and SS={} ({}). "
        "That is why Linux writes (__USER32_CS << 16) | __KERNEL_CS and keeps __USER32_CS, __USER_DS and __USER_CS "
        "next to each other in the GDT: getpid came back with CS={} SS={}.",
        text(s, "star"), hex(k), gdt_name(s, k), hex(k), hex(k + 8), gdt_name(s, k + 8), hex(u), gdt_name(s, u),
        hex(u + 16), gdt_name(s, u + 16), hex(u + 8), gdt_name(s, u + 8), text(ex, "sysret_cs"), text(ex, "sysret_ss"));
    return a;
}

}  // namespace

std::vector<Stop> msr_stops() {
    return {
        {"wrmsr", "What is `wrmsr`? How does a register hold the syscall entry address?",
         "wrmsr 指令是 ? / 如何使用寄存器存储 syscall 入口地址", {"msr", "path"}, lstar_msr,
         "Linux arch/x86/kernel/cpu/common.c syscall_init(); Intel SDM Vol. 2B WRMSR, Vol. 3A 5.8.8 "
         "(Fast System Calls in 64-Bit Mode); AMD APM Vol. 2 6.1.1; lstar docs/entry-modes.md (--msr-setup)",
         {"path"}},
        {"idt", "Does `syscall` go through the IDT?",
         "那是不是 syscall 不用走 idt 哪一条路 / syscall 不会经过idt", {"path", "door_int80"}, no_idt,
         "Linux arch/x86/entry/entry_64.S entry_SYSCALL_64, arch/x86/kernel/idt.c; Intel SDM Vol. 2B SYSCALL, "
         "Vol. 3A 6.14 (64-bit interrupt handling); AMD APM Vol. 3 SYSCALL; lstar docs/entry-modes.md",
         {"path", "doors"}},
        {"star", "Why does MSR_STAR hold code-segment selectors (`__USER32_CS`, `__KERNEL_CS`)?",
         "为什么又有CS寄存器啊! / @todo 这两个宏，`__USER32_CS` 和 `__KERNEL_CS`", {"path"}, star,
         "Linux arch/x86/include/asm/segment.h (GDT_ENTRY_*), arch/x86/kernel/cpu/common.c syscall_init(); Intel SDM "
         "Vol. 2B SYSCALL and SYSRET (Operation); AMD APM Vol. 2 6.1.1; lstar docs/boot-protocol.md",
         {"gdt"}},
    };
}

}  // namespace lstar::tour
