// Every record of the exit log (docs/exit-log.md) is built here, and each gets the seq of the
// exit it belongs to: the run loop calls next_exit() once per VM exit, and everything written
// until the next one carries that number. With the log off every call is a no-op.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.hpp"
#include "event_abi.hpp"
#include "option_names.hpp"
#include "kvm/exit.hpp"
#include "kvm/exit_action.hpp"
#include "loader/symbols.hpp"
#include "memory/page_walk.hpp"
#include "run/exit_log.hpp"
#include "run/guest_events.hpp"
#include "run/last_seen.hpp"

namespace lstar {

class Records {
public:
    Records(ExitLog& log, const SymbolTable& syms) : log_(log), syms_(syms) {}

    bool enabled() const { return log_.enabled(); }
    uint64_t seq() const { return seq_; }
    void next_exit() { ++seq_; }

    void raw(const std::string& json) { if (enabled()) log_.write(json); }  // a record without a seq (setup)
    // A record built elsewhere (the tracer's): this exit's seq goes first.
    void with_seq(const std::string& json);
    void exit(uint64_t t_ns, const VmExit& e, std::string_view note);
    void console_line(const std::string& line);  // one finished COM1 line
    void bad_event(uint64_t gpa, const std::string& why);

    // Guest events (type "event"): what the record said, with what the monitor observed.
    void syscall_enter(const abi::SyscallEnterEvent& ev, const CpuState& cpu, const char* name,
                       const std::string& user_insn, uint64_t user_cr3);
    void syscall_exit(const abi::SyscallExitEvent& ev, const CpuState& cpu);
    void exception(const abi::ExceptionEvent& ev, const std::string& insn);
    // text: the bytes as written (at most 1024 kept), or nullopt with error saying why not read.
    void console_read(const abi::ConsoleReadEvent& ev, int64_t result);
    void console_write(const abi::ConsoleWriteEvent& ev, std::optional<std::string_view> text,
                       const std::string& error);
    void user_enter(const UserEnter& ev);
    void log_text(const LogText& ev);
    void shutdown(const abi::ShutdownEvent& ev);

    struct MsrAccess {
        bool write;
        uint32_t index;
        const char* name;  // nullptr: lstar does not know it
        uint64_t value;
        std::string value_sym, decoded;
        std::optional<std::string> gp;  // why the #GP, when refused
        std::string caller;             // "syscall_init+0x55": who called the accessor RIP is in
    };
    void msr(const MsrAccess& m, const CpuState& cpu);
    void user_mappings(uint64_t user_cr3, uint64_t kernel_cr3, std::string_view entry_mode,
                       const std::vector<MappedRun>& runs, uint64_t bytes);
    // regs: which registers the report showed (kvm_amd's SHUTDOWN resets them: run/last_seen.hpp).
    void fault(StopReason reason, const std::string& note, const EndRegisters& regs, const std::string& insn);
    // The end record's first fields; the caller adds the counters and done()s it into end().
    JsonObject end_head(StopReason reason, int status, const std::string& note) const;
    void end(const std::string& json) { if (enabled()) log_.write_end(json); }

private:
    std::string sym(uint64_t a) const { return syms_.describe(a); }
    JsonObject event_head(const char* name) const;
    void write(JsonObject& r) { log_.write(r.done()); }
    ExitLog& log_;
    const SymbolTable& syms_;
    uint64_t seq_ = 0;
    // A loop exits from the same few RIPs: remember the last symbol looked up.
    uint64_t last_rip_ = ~0ull;
    std::string last_rip_sym_;
};

}  // namespace lstar
