// The run loop's answers to what the guest reports (event records, shared/event_abi.hpp) and to
// the MSR accesses it traps (--msr-setup guest): count, narrate, print, record.
#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <spdlog/spdlog.h>

#include "common/clock.hpp"
#include "common/syscall_names.hpp"
#include "memory/page_walk.hpp"
#include "run/narrator.hpp"
#include "run/run_loop.hpp"
#include "run/signals.hpp"
#include "x86/exceptions.hpp"
#include "x86/msr.hpp"
#include "cpu/msr_rules.hpp"
#include "loader/system_map.hpp"

namespace lstar {

namespace {

// The largest console write the monitor copies in one go; larger ones are refused as hostile.
constexpr uint64_t kConsoleWriteMax = 1 << 20;
// The largest console read the monitor answers (the guest asks for at most a page at a time).
constexpr uint64_t kConsoleReadMax = 1 << 16;

// One read(2) of lstar's stdin for the guest: blocks until bytes or end of file. A signal (Ctrl-C,
// --timeout) ends the wait with -EINTR; the run loop then stops the guest.
int64_t read_stdin(std::vector<uint8_t>& buf) {
    for (;;) {
        const ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
        if (n >= 0) return n;
        if (errno != EINTR || SignalGuard::last_signal()) return -int64_t(errno);
    }
}

void out_stderr(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stderr); }

}  // namespace

void RunLoop::count_syscall(const std::string& name, bool enter) {
    if (enter) ++counts_.syscalls_by_name[name];
    if (timeline_) timeline_->syscall_edge(since_start(), name, enter);
}

void RunLoop::count_exception(const std::string& mnemonic) {
    ++counts_.exceptions_by_vector[mnemonic];
    if (timeline_) timeline_->exception(since_start(), mnemonic);
}

void RunLoop::handle_event(uint64_t gpa, const CpuState& cpu) {
    auto r = read_guest_event(m_.mem, gpa);
    if (auto* bad = std::get_if<BadEvent>(&r)) {
        ++counts_.bad_events;
        spdlog::warn("ignored a bad event record from the guest: {}", bad->why);
        records_.bad_event(gpa, bad->why);
        return;
    }
    const auto& ev = std::get<GuestEvent>(r);
    if (auto* enter = std::get_if<abi::SyscallEnterEvent>(&ev)) {
        on_syscall_enter(*enter, cpu);
    } else if (auto* exit = std::get_if<abi::SyscallExitEvent>(&ev)) {
        on_syscall_exit(*exit, cpu);
    } else if (auto* ex = std::get_if<abi::ExceptionEvent>(&ev)) {
        on_exception(*ex, cpu);
    } else if (auto* write = std::get_if<abi::ConsoleWriteEvent>(&ev)) {
        on_console_write(*write, cpu);
    } else if (auto* read = std::get_if<abi::ConsoleReadEvent>(&ev)) {
        on_console_read(*read, gpa);
    } else if (auto* user = std::get_if<UserEnter>(&ev)) {
        spdlog::debug("kernel enters ring 3: {} at {} (CS={}, RSP={})", user->name, hex(user->raw.rip),
                      hex(user->raw.cs), hex(user->raw.rsp));
        records_.user_enter(*user);
    } else if (auto* log = std::get_if<LogText>(&ev)) {
        std::fwrite(log->text.data(), 1, log->text.size(), stdout);  // printk is guest console output
        if (log->text.empty() || log->text.back() != '\n') std::fputc('\n', stdout);
        std::fflush(stdout);
        records_.log_text(*log);
    } else if (auto* shutdown = std::get_if<abi::ShutdownEvent>(&ev)) {
        counts_.guest_counters = *shutdown;
        records_.shutdown(*shutdown);
    }
}

void RunLoop::on_syscall_enter(const abi::SyscallEnterEvent& ev, const CpuState& cpu) {
    counts_.count_syscall_enter(ev);
    const char* name = ev.abi_bits == 32 ? syscall_name32(ev.nr) : syscall_name(ev.nr);
    // What the monitor finds just before the user return address: the instruction that entered
    // the kernel, read through the user's own page tables.
    std::string insn;
    uint64_t user_cr3 = ev.user_cr3 ? ev.user_cr3 : cpu.sregs.cr3;
    if (auto b = read_virtual(m_.mem, user_cr3, ev.user_rip - 2, 2, Access::User)) {
        uint8_t b0 = (*b)[0], b1 = (*b)[1];
        insn = b0 == 0x0f && b1 == 0x05 ? "syscall" : b0 == 0xcd && b1 == 0x80 ? "int $0x80"
             : b0 == 0x0f && b1 == 0x34 ? "sysenter" : "";
    }
    if (opts_.show_user_mappings && counts_.syscalls == 1) show_user_mappings(user_cr3, cpu.sregs.cr3);
    if (!tracer_ || !(opts_.trace.syscalls || opts_.trace.path))
        count_syscall(name ? name : "syscall_" + std::to_string(ev.nr), true);
    narrating_ = opts_.narration == Narration::AllSyscalls ||
                 (opts_.narration == Narration::FirstSyscall && counts_.syscalls == 1);
    if (narrating_) out_stderr(narrate_syscall_entry(unsigned(counts_.syscalls), ev, cpu, m_.image.symbols, insn));
    records_.syscall_enter(ev, cpu, name, insn, user_cr3);
}

void RunLoop::on_syscall_exit(const abi::SyscallExitEvent& ev, const CpuState& cpu) {
    if (narrating_) out_stderr(narrate_syscall_exit(ev, cpu, m_.image.symbols));
    narrating_ = false;
    if (timeline_ && (!tracer_ || !(opts_.trace.syscalls || opts_.trace.path)))
        timeline_->syscall_edge(since_start(), "", false);
    records_.syscall_exit(ev, cpu);
}

void RunLoop::on_exception(const abi::ExceptionEvent& ev, const CpuState& cpu) {
    ++counts_.exceptions;
    seen_.exception(ev, records_.seq());
    std::string insn = insn_text(cpu.sregs.cr0, ev.cr3, ev.rip);
    spdlog::info("guest exception: {}", describe_exception(ev, m_.image.symbols, insn));
    if (!tracer_ || !opts_.trace.exceptions) count_exception(x86::kVectors[ev.vector & 31].mnemonic);
    records_.exception(ev, insn);
}

void RunLoop::on_console_write(const abi::ConsoleWriteEvent& ev, const CpuState& cpu) {
    std::optional<std::vector<uint8_t>> bytes;
    if (ev.len <= kConsoleWriteMax) bytes = read_virtual(m_.mem, cpu.sregs.cr3, ev.va, ev.len, Access::User);
    if (!bytes) {
        ++counts_.bad_events;
        spdlog::warn("guest console write of {} bytes at {} is not readable user memory", ev.len, hex(ev.va));
        records_.console_write(ev, std::nullopt, "buffer not readable as user memory through CR3 " + hex(cpu.sregs.cr3));
        return;
    }
    // The program's fd 2 is lstar's stderr, everything else its stdout.
    FILE* to = ev.fd == uint64_t(abi::ConsoleStream::Stderr) ? stderr : stdout;
    std::fwrite(bytes->data(), 1, bytes->size(), to);
    std::fflush(to);
    records_.console_write(ev, std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), "");
}

// Linux's syscall_init() writes entry_SYSCALL_64 to LSTAR: against its link address in the
// --symbols file, that is the KASLR slide, and every symbol moves by it from here on.
void RunLoop::find_kaslr_slide(uint64_t lstar) {
    const auto& linked = m_.image.linked_symbols;
    auto it = std::find_if(linked.begin(), linked.end(), [](const ElfSymbol& s) { return s.name == "entry_SYSCALL_64"; });
    if (it == linked.end()) {
        spdlog::info("guest wrote LSTAR {}: {}", hex(lstar),
                     linked.empty() ? "no --symbols, so lstar cannot name it or find the KASLR slide"
                                    : "the --symbols file has no entry_SYSCALL_64, so lstar cannot find the KASLR slide");
        return;
    }
    const uint64_t slide = lstar - it->value;
    m_.image.symbols = SymbolTable(slide_symbols(linked, slide));
    out_stderr("lstar: KASLR slide " + hex(slide) + ": the guest wrote " + hex(lstar) + " to LSTAR, entry_SYSCALL_64 is linked at " +
               hex(it->value) + "\n");
}

void RunLoop::on_console_read(const abi::ConsoleReadEvent& ev, uint64_t gpa) {
    int64_t result;
    if (ev.fd != uint64_t(abi::ConsoleStream::Stdin)) {
        result = -EBADF;
    } else if (ev.len == 0 || ev.len > kConsoleReadMax || !m_.mem.contains(ev.va, ev.len)) {
        ++counts_.bad_events;
        spdlog::warn("guest console read of {} bytes into {}: not a buffer inside guest RAM", ev.len, hex(ev.va));
        result = -EFAULT;
    } else {
        std::vector<uint8_t> buf(ev.len);
        result = read_stdin(buf);
        if (result > 0) m_.mem.write_bytes(ev.va, {buf.data(), size_t(result)});
    }
    m_.mem.write(gpa + offsetof(abi::ConsoleReadEvent, result), result);
    records_.console_read(ev, result);
}

// Linux writes MSRs in a leaf accessor (native_write_msr): name the function that called it. At
// the WRMSR, [RSP] is the return address when the accessor pushed nothing. It counts only if the
// bytes before it are a call to just before RIP: a near call (e8 rel32), or paravirt's call
// through pv_ops (ff 15 disp32: call [rip+disp32]) before Linux patches it into a direct one.
// Guest memory is hostile: any unreadable or odd value gives no caller.
std::string RunLoop::msr_caller(const CpuState& cpu) const {
    if (cpu.cpl() != 0 || sym(cpu.regs.rip).empty()) return "";
    auto u64_at = [&](uint64_t va) -> std::optional<uint64_t> {
        auto b = read_virtual(m_.mem, cpu.sregs.cr3, va, 8);
        if (!b) return std::nullopt;
        uint64_t v;
        std::memcpy(&v, b->data(), 8);
        return v;
    };
    auto ra = u64_at(cpu.regs.rsp);
    if (!ra) return "";
    auto code = read_virtual(m_.mem, cpu.sregs.cr3, *ra - 6, 6);
    if (!code) return "";
    int32_t rel = 0;
    std::optional<uint64_t> target;
    if ((*code)[1] == 0xe8) {
        std::memcpy(&rel, code->data() + 2, 4);
        target = *ra + uint64_t(int64_t(rel));
    } else if ((*code)[0] == 0xff && (*code)[1] == 0x15) {
        std::memcpy(&rel, code->data() + 2, 4);
        target = u64_at(*ra + uint64_t(int64_t(rel)));
    }
    if (!target || *target > cpu.regs.rip || cpu.regs.rip - *target > 0x40) return "";
    return sym(*ra);
}

// A trapped RDMSR/WRMSR (--msr-setup guest): log it decoded, then complete it through KVM, or
// give the guest the #GP the hardware would.
void RunLoop::handle_msr(const actions::MsrAccess& m, const CpuState& cpu) {
    const char* name = x86::msr_name(m.index);
    uint64_t value = m.value;
    if (!m.fault) {
        if (m.write) {
            // EFER.LMA is the CPU's to set: a guest write of it is ignored, so keep the current bit.
            if (m.index == x86::kMsrEfer) value = (value & ~x86::kEferLma) | (cpu.sregs.efer & x86::kEferLma);
            m_.vcpu->set_msrs({{m.index, value}});
            if (m.index == x86::kMsrLstar) {
                lstar_now_ = value;  // the tracer re-arms its breakpoint
                if (m_.boot.protocol == Protocol::Linux) find_kaslr_slide(value);
            }
        } else {
            value = m_.vcpu->get_msrs({m.index})[0];
        }
    }
    m_.vcpu->complete_msr(m.write ? 0 : value, m.fault.has_value());
    Records::MsrAccess r{m.write, m.index, name, value, x86::msr_holds_address(m.index) ? sym(value) : "",
                         x86::describe_msr_value(m.index, value), m.fault};
    r.caller = msr_caller(cpu);
    const std::string rip_sym = sym(cpu.regs.rip);
    std::string line = std::string(m.write ? "wrmsr " : "rdmsr ") + (name ? name : hex(m.index)) +
                       (m.write ? " <- " : " -> ") + hex(value) + (r.value_sym.empty() ? "" : " <" + r.value_sym + ">") +
                       (r.decoded.empty() ? "" : "  " + r.decoded) + " at " + hex(cpu.regs.rip) +
                       (rip_sym.empty() ? "" : " <" + rip_sym + ">") +
                       (r.caller.empty() ? "" : ", called from " + r.caller);
    if (m.fault) {
        spdlog::warn("guest {}: refused with #GP: {}", line, *m.fault);
    } else if (opts_.show_msrs) {
        out_stderr("guest " + line + "\n");
    }
    records_.msr(r, cpu);
}

// The proof of what PTI hides: walk the page tables a user-mode CR3 points at and list every
// kernel-half range they map, with its permissions.
void RunLoop::show_user_mappings(uint64_t user_cr3, uint64_t kernel_cr3) {
    constexpr uint64_t kKernelHalf = 0xffff800000000000ull;
    // A foreign kernel chooses its own entry (Linux: pti= on its command line).
    const char* mode = m_.boot.foreign ? "the kernel's own" : abi::name_of(abi::kEntryModes, m_.boot.entry_mode);
    auto ranges = mapped_ranges(m_.mem, user_cr3, kKernelHalf, ~0ull);
    std::string t = "kernel-half mappings of the user-mode CR3 " + hex(user_cr3) + " at the first syscall (" +
                    (user_cr3 == kernel_cr3 ? "the same page tables as the kernel's" : "kernel CR3 is " + hex(kernel_cr3)) +
                    "), entry mode " + mode + ":\n";
    uint64_t total = 0;
    for (const auto& r : ranges) total += r.end - r.start;
    const auto runs = periodic_runs(ranges);
    for (const auto& run : runs) {
        const MappedRange& r = run.first;
        const uint64_t size = r.end - r.start;
        char b[240];
        if (run.count == 1)
            std::snprintf(b, sizeof b, "  %#018llx-%#018llx %10llu KiB  %s %s %s  %s\n", (unsigned long long)r.start,
                          (unsigned long long)(r.end - 1), (unsigned long long)(size >> 10),
                          r.user ? "user" : "supervisor", r.writable ? "rw" : "ro", r.executable ? "x " : "nx",
                          sym(r.start).c_str());
        else
            std::snprintf(b, sizeof b, "  %#018llx-%#018llx %llu x %llu KiB, one every %llu KiB  %s %s %s  %s\n",
                          (unsigned long long)r.start, (unsigned long long)(run.last_end() - 1),
                          (unsigned long long)run.count, (unsigned long long)(size >> 10),
                          (unsigned long long)(run.stride >> 10), r.user ? "user" : "supervisor",
                          r.writable ? "rw" : "ro", r.executable ? "x " : "nx", sym(r.start).c_str());
        t += b;
    }
    if (ranges.empty()) t += "  (nothing)\n";
    t += "  " + std::to_string(ranges.size()) + " ranges, " + std::to_string(total >> 10) + " KiB of the kernel half\n";
    out_stderr(t);
    records_.user_mappings(user_cr3, kernel_cr3, mode, runs, total);
}

}  // namespace lstar
