#include "run/records.hpp"

#include "cpu/decode.hpp"
#include "run/exit_record.hpp"
#include "x86/exceptions.hpp"

namespace lstar {

void Records::with_seq(const std::string& json) {
    if (enabled()) log_.write("{\"seq\":" + std::to_string(seq_) + "," + json.substr(1));
}

void Records::exit(uint64_t t_ns, const VmExit& e, std::string_view note) {
    if (!enabled()) return;
    if (e.cpu.regs.rip != last_rip_) last_rip_ = e.cpu.regs.rip, last_rip_sym_ = sym(last_rip_);
    log_.write(exit_record(seq_, t_ns, e, last_rip_sym_, note));
}

// One COM1 line: an event in the exit log, after the exit that finished it.
void Records::console_line(const std::string& line) {
    if (enabled())
        log_.write(JsonObject().num("seq", seq_).str("type", "event").str("event", "console").str("device", "com1")
                       .str("text", line).done());
}

void Records::bad_event(uint64_t gpa, const std::string& why) {
    if (enabled())
        log_.write(JsonObject().num("seq", seq_).str("type", "event").str("event", "bad_record").hex("gpa", gpa)
                       .str("why", why).done());
}

JsonObject Records::event_head(const char* name) const {
    JsonObject r;
    r.num("seq", seq_).str("type", "event").str("event", name);
    return r;
}

void Records::syscall_enter(const abi::SyscallEnterEvent& ev, const CpuState& cpu, const char* name,
                            const std::string& user_insn, uint64_t user_cr3) {
    if (!enabled()) return;
    static const char* kDoors[] = {"syscall", "int80", "sysenter"};
    static const char* kVia[] = {"hardware", "pf_shim", "ud_shim"};
    std::string args = "[";
    for (int i = 0; i < 6; ++i) args += (i ? ",\"" : "\"") + hex(ev.args[i]) + "\"";
    args += "]";
    JsonObject r = event_head("syscall_enter");
    r.num("nr", ev.nr).str("name", name ? name : "").str("door", kDoors[uint32_t(ev.door) % 3])
        .num("abi_bits", ev.abi_bits ? ev.abi_bits : 64u).raw("args", args).hex("user_rip", ev.user_rip)
        .str("user_insn", user_insn).hex("user_rflags", ev.user_rflags).hex("user_rsp", ev.user_rsp)
        .hex("lstar", ev.lstar).str("lstar_sym", sym(ev.lstar)).str("via", kVia[uint32_t(ev.via) % 3])
        .hex("handler", ev.handler).str("handler_sym", sym(ev.handler)).hex("pt_regs", ev.pt_regs)
        .hex("regs_ip", ev.regs_ip).hex("regs_cs", ev.regs_cs).hex("regs_flags", ev.regs_flags)
        .hex("regs_sp", ev.regs_sp).hex("regs_ss", ev.regs_ss).hex("stack_top", ev.stack_top)
        .str("stack_sym", sym(ev.stack_top)).str("entry_mode", abi::name_of(abi::kEntryModes, abi::EntryMode(ev.entry_mode)))
        .hex("user_cr3", user_cr3)
        .num("cpl", cpu.cpl()).hex("gs_base", cpu.sregs.gs.base).hex("rsp", cpu.regs.rsp).hex("cr3", cpu.sregs.cr3)
        .num("guest_cpl", ev.cpl);
    write(r);
}

void Records::syscall_exit(const abi::SyscallExitEvent& ev, const CpuState& cpu) {
    if (!enabled()) return;
    static const char* kHow[] = {"sysretq", "iretq", "sysexit"};
    JsonObject r = event_head("syscall_exit");
    r.num("nr", ev.nr).hex("ret", ev.ret).str("how", kHow[uint32_t(ev.how) % 3]).hex("rcx", ev.rcx)
        .hex("r11", ev.r11).hex("user_rsp", ev.user_rsp).hex("sysret_cs", ev.sysret_cs)
        .hex("sysret_ss", ev.sysret_ss).hex("regs_ip", ev.regs_ip).hex("regs_cs", ev.regs_cs)
        .hex("regs_flags", ev.regs_flags).hex("regs_sp", ev.regs_sp).hex("regs_ss", ev.regs_ss)
        .num("cpl", cpu.cpl())
        .num("return_cpl", ev.how == abi::ReturnVia::Iret ? unsigned(ev.regs_cs & 3) : unsigned(ev.sysret_cs & 3))
        .hex("cr3", cpu.sregs.cr3).hex("user_cr3", ev.user_cr3 ? ev.user_cr3 : cpu.sregs.cr3);
    write(r);
}

void Records::exception(const abi::ExceptionEvent& ev, const std::string& insn) {
    if (!enabled()) return;
    const auto& v = x86::kVectors[ev.vector & 31];
    JsonObject r = event_head("exception");
    r.num("vector", ev.vector).str("mnemonic", v.mnemonic).str("vector_name", v.name)
        .hex("handler_rsp", ev.handler_rsp).str("handler_stack", sym(ev.handler_rsp))
        .hex("error_code", ev.error_code).num("has_error_code", bool(ev.has_error_code))
        .str("error_decoded", x86::decode_error_code(ev.vector, ev.error_code, ev.has_error_code))
        .hex("rip", ev.rip).str("sym", sym(ev.rip)).str("insn", insn).hex("cs", ev.cs).num("from_cpl", ev.cs & 3)
        .hex("rflags", ev.rflags).hex("rsp", ev.rsp).hex("ss", ev.ss).hex("cr2", ev.cr2)
        .str("action", ev.action == abi::ExceptionAction::KillTask ? "kill_task"
                       : ev.action == abi::ExceptionAction::Fixup  ? "fixup"
                                                                   : "panic").num("signal", ev.signal);
    write(r);
}

void Records::console_read(const abi::ConsoleReadEvent& ev, int64_t result) {
    if (!enabled()) return;
    JsonObject r = event_head("console_read");
    r.num("fd", ev.fd).num("len", ev.len).num("result", result);
    write(r);
}

void Records::console_write(const abi::ConsoleWriteEvent& ev, std::optional<std::string_view> text,
                            const std::string& error) {
    if (!enabled()) return;
    JsonObject r = event_head("console_write");
    r.num("fd", ev.fd).hex("va", ev.va).num("len", ev.len);
    if (text) r.str("text", text->substr(0, 1024));
    else r.str("error", error);
    write(r);
}

void Records::user_enter(const UserEnter& ev) {
    if (!enabled()) return;
    JsonObject r = event_head("user_enter");
    r.str("program", ev.name).hex("rip", ev.raw.rip).hex("rsp", ev.raw.rsp).hex("cs", ev.raw.cs)
        .hex("ss", ev.raw.ss).hex("rflags", ev.raw.rflags).hex("cr3", ev.raw.cr3);
    write(r);
}

void Records::log_text(const LogText& ev) {
    if (!enabled()) return;
    JsonObject r = event_head("log");
    r.num("level", ev.level).str("text", ev.text);
    write(r);
}

void Records::shutdown(const abi::ShutdownEvent& ev) {
    if (!enabled()) return;
    JsonObject r = event_head("shutdown");
    r.num("status", ev.status).num("syscalls", ev.syscalls).num("via_hardware", ev.via_hardware)
        .num("via_pf_shim", ev.via_pf_shim).num("exceptions", ev.exceptions);
    write(r);
}

void Records::msr(const MsrAccess& m, const CpuState& cpu) {
    if (!enabled()) return;
    JsonObject r;
    r.num("seq", seq_).str("type", "msr").str("op", m.write ? "wrmsr" : "rdmsr").hex("index", m.index)
        .str("msr", m.name ? m.name : "").hex("value", m.value).str("sym", m.value_sym).str("decoded", m.decoded)
        .hex("rip", cpu.regs.rip).str("rip_sym", sym(cpu.regs.rip)).num("cpl", cpu.cpl());
    if (m.gp) r.str("gp", *m.gp);
    if (!m.caller.empty()) r.str("caller", m.caller);
    write(r);
}

void Records::user_mappings(uint64_t user_cr3, uint64_t kernel_cr3, std::string_view entry_mode,
                            const std::vector<MappedRun>& runs, uint64_t bytes) {
    if (!enabled()) return;
    std::string arr = "[";
    for (const auto& run : runs) {
        const MappedRange& m = run.first;
        JsonObject o;
        o.hex("start", m.start).hex("end", m.end).num("user", m.user).num("writable", m.writable)
            .num("executable", m.executable).str("sym", sym(m.start));
        if (run.count > 1) o.num("count", run.count).hex("stride", run.stride);
        arr += std::string(arr.size() > 1 ? "," : "") + o.done();
    }
    arr += "]";
    JsonObject r;
    r.num("seq", seq_).str("type", "user_mappings").hex("user_cr3", user_cr3).hex("kernel_cr3", kernel_cr3)
        .str("entry_mode", entry_mode).num("bytes", bytes).raw("ranges", arr);
    write(r);
}

void Records::fault(StopReason reason, const std::string& note, const EndRegisters& regs, const std::string& insn) {
    if (!enabled()) return;
    const CpuState& cpu = regs.cpu;
    const auto& r = cpu.regs;
    const auto& s = cpu.sregs;
    JsonObject f;
    f.num("seq", seq_).str("type", "fault").str("reason", stop_reason_name(reason)).str("note", note)
        .hex("rip", r.rip).str("sym", sym(r.rip)).num("cpl", cpu.cpl()).str("insn", insn).hex("rsp", r.rsp)
        .hex("rflags", r.rflags).hex("cr0", s.cr0).hex("cr2", s.cr2).hex("cr3", s.cr3).hex("cr4", s.cr4)
        .hex("efer", s.efer).hex("cs", s.cs.selector).hex("ss", s.ss.selector).hex("idt_base", s.idt.base)
        .hex("idt_limit", s.idt.limit);
    add_end_registers(f, regs);
    write(f);
}

JsonObject Records::end_head(StopReason reason, int status, const std::string& note) const {
    JsonObject r;
    r.num("seq", seq_).str("type", "end").str("reason", stop_reason_name(reason)).num("status", status)
        .str("note", note);
    return r;
}

}  // namespace lstar
