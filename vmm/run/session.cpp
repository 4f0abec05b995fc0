#include "run/session.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <sys/random.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <spdlog/spdlog.h>

#include "boot/boot_state.hpp"
#include "boot/foreign_boot.hpp"
#include "boot/initrd.hpp"
#include "boot/setup_report.hpp"
#include "common/error.hpp"
#include "devices/access_limiter.hpp"
#include "devices/board.hpp"
#include "kvm/system.hpp"
#include "kvm/vm.hpp"
#include "memory/page_walk.hpp"
#include "common/clock.hpp"
#include "run/dispatcher.hpp"
#include "run/exit_log.hpp"
#include "run/exit_log_schema.hpp"
#include "run/exit_record.hpp"
#include "common/exit_status.hpp"
#include "run/fault_report.hpp"
#include "run/guest_events.hpp"
#include "common/json.hpp"
#include "run/narrator.hpp"
#include "run/seccomp.hpp"
#include "common/syscall_names.hpp"
#include "run/timings.hpp"
#include "gdb/stub.hpp"
#include "trace/chrome_trace.hpp"
#include "trace/tracer.hpp"
#include "cpu/decode.hpp"
#include "cpu/disasm.hpp"
#include "x86/exceptions.hpp"
#include "x86/msr.hpp"
#include "cpu/debug_regs.hpp"
#include "cpu/msr_rules.hpp"

namespace lstar {

namespace {

// --- signals: a timeout or Ctrl-C makes KVM_RUN return (immediate_exit closes the race with
// a signal that lands just before KVM_RUN).
std::atomic<int> g_signal{0};
kvm::Vcpu* g_vcpu = nullptr;

// The seccomp filter refused a call: stop the guest at the next turn of the run loop.
void on_seccomp_refused() {
    if (g_vcpu) g_vcpu->request_immediate_exit();
}

void on_signal(int sig) {
    int expected = 0;
    g_signal.compare_exchange_strong(expected, sig);
    if (g_vcpu) g_vcpu->request_immediate_exit();
}

struct SignalGuard {
    SignalGuard(kvm::Vcpu& vcpu, double timeout_s) {
        g_signal = 0;
        g_vcpu = &vcpu;
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;  // no SA_RESTART: KVM_RUN must come back with EINTR
        for (int s : {SIGINT, SIGTERM, SIGALRM}) sigaction(s, &sa, &old_[s]);
        if (timeout_s > 0) {
            itimerval it{};
            it.it_value.tv_sec = time_t(timeout_s);
            it.it_value.tv_usec = suseconds_t((timeout_s - double(time_t(timeout_s))) * 1e6);
            if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0) it.it_value.tv_usec = 1;
            setitimer(ITIMER_REAL, &it, nullptr);
        }
    }
    ~SignalGuard() {
        itimerval off{};
        setitimer(ITIMER_REAL, &off, nullptr);
        for (int s : {SIGINT, SIGTERM, SIGALRM}) sigaction(s, &old_[s], nullptr);
        g_vcpu = nullptr;
    }
    struct sigaction old_[32] {};
};

// Port I/O other than the guest's event port, and MMIO, are served from the exit alone (devices,
// the console, the exit port, unhandled accesses). Every other exit may read CR0, CR3, EFER or the
// CPL: events walk the guest's page tables, MSR writes are checked against CR0 and EFER, and
// reports of faults, timeouts and signals show them.
bool exit_needs_sregs(const VmExit& e) {
    if (auto* io = std::get_if<exits::Io>(&e.kind)) return io->port == abi::kPortEvent;
    return !std::holds_alternative<exits::Mmio>(e.kind);
}

std::string ms(uint64_t ns) {
    char b[32];
    std::snprintf(b, sizeof b, "%.3f ms", double(ns) / 1e6);
    return b;
}

void out_stderr(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stderr); }

// The largest console write the monitor copies in one go; larger ones are refused as hostile.
constexpr uint64_t kConsoleWriteMax = 1 << 20;

class Session {
public:
    Session(const RunOptions& o, KernelImage image, kvm::System& sys, ExitLog& log, BootOptions bo)
        : opts_(o), image_(std::move(image)), mem_(o.ram_mib << 20), vm_(sys), log_(log) {
        timings::mark("vm");  // KVM_CREATE_VM, and guest RAM mmap()ed
        host_ = kvm::detect_host_kind();
        vm_.add_memory(mem_);
        timings::mark("memory");
        // Foreign kernels get the in-kernel interrupt controllers and timer, as on a PC. lstar's own
        // protocols keep none: there a HLT exits to the monitor, which names a guest that halted.
        const bool foreign = bo.protocol == Protocol::Pvh || bo.protocol == Protocol::Multiboot;
        if (foreign) {
            if (mem_.size() > bootdata::kForeignRamMax) plan_boot_data(mem_.size(), 0, "", {});  // refuse early
            vm_.create_irqchip(sys);
        }
        vcpu_ = vm_.create_vcpu(sys);
        timings::mark("vcpu");
        if (::getrandom(&bo.random_seed, sizeof bo.random_seed, 0) != sizeof bo.random_seed)
            throw std::system_error(errno, std::generic_category(), "getrandom");
        if (o.msr_setup == MsrSetup::Guest) {
            sys.require({{KVM_CAP_X86_USER_SPACE_MSR, "KVM_CAP_X86_USER_SPACE_MSR"},
                         {KVM_CAP_X86_MSR_FILTER, "KVM_CAP_X86_MSR_FILTER"}});
            vm_.trap_msrs(x86::syscall_msrs());
        }
        boot_ = setup_boot(*vcpu_, mem_, image_, bo, sys.supported_cpuid());
        timings::mark("load");
        board_.emplace(devices::BoardConfig{mem_.size(), o.smp, boot_.cmdline},
                       devices::ConsoleSinks{[](const std::string& b) {
                                                 std::fwrite(b.data(), 1, b.size(), stdout);
                                                 std::fflush(stdout);
                                             },
                                             [this](const std::string& l) { log_console_line(l); }});
    }

    int run();

private:
    void log_exit(const VmExit& e, const Decision& d);
    void log_console_line(const std::string& line);
    void report_unhandled(const VmExit& e, const Decision& d);
    void handle_event(uint64_t gpa, const CpuState& cpu);
    void on_event(const GuestEvent& ev, const CpuState& cpu, JsonObject& rec);
    void complete_read(const VmExit& e, uint64_t value);
    void complete_read_bytes(const VmExit& e, const std::vector<uint8_t>& bytes);
    void handle_msr(const actions::MsrAccess& m, const CpuState& cpu);
    void show_user_mappings(uint64_t user_cr3, uint64_t kernel_cr3);
    void report_stop(const actions::Stop& stop, const VmExit& e, const std::string& note);
    void write_end(const actions::Stop& stop, const std::string& note);
    std::string sym(uint64_t a) const { return image_.symbols.describe(a); }
    const std::string& log_sym(uint64_t a) {  // a loop exits from the same few RIPs: remember the last
        if (a != log_sym_rip_) log_sym_rip_ = a, log_sym_ = sym(a);
        return log_sym_;
    }
    uint64_t log_sym_rip_ = ~0ull;
    std::string log_sym_;
    std::string insn_text(uint64_t cr0, uint64_t cr3, uint64_t rip) const;

    RunOptions opts_;
    KernelImage image_;
    GuestMemory mem_;
    kvm::Vm vm_;
    std::unique_ptr<kvm::Vcpu> vcpu_;
    ExitLog& log_;
    kvm::HostKind host_;
    BootState boot_;

    uint64_t t_start_ = 0, guest_ns_ = 0, seq_ = 0;
    // Counted by the variant's index: a name lookup per exit would cost more than the count.
    std::array<uint64_t, std::variant_size_v<ExitKind>> exits_by_kind_{};
    std::array<std::string_view, std::variant_size_v<ExitKind>> exit_kind_names_{};
    std::map<std::string_view, uint64_t> exits_by_reason() const;
    uint64_t syscalls_ = 0, via_hw_ = 0, via_shim_ = 0, via_ud_shim_ = 0, exceptions_ = 0, bad_events_ = 0;
    std::optional<abi::ShutdownEvent> guest_counters_;
    bool narrating_ = false;

    std::unique_ptr<gdb::Stub> gdb_;  // --gdb
    std::optional<devices::Board> board_;  // COM1, fw_cfg, power-off ports (devices/)
    devices::AccessLimiter unhandled_;     // rate limit for reports of unknown ports and MMIO

    // Watching from outside (--trace, --trace-out).
    std::optional<trace::Tracer> tracer_;
    std::optional<trace::ChromeTrace> timeline_;
    uint64_t lstar_now_ = 0;  // LSTAR as the guest has it now (boot, or its last trapped WRMSR)
    std::map<std::string, uint64_t> syscalls_by_name_, exceptions_by_vector_;
    void make_tracer();
    void install_seccomp();
    size_t seccomp_allowed_ = 0;  // system calls the filter allows; 0: no filter (--no-seccomp)
    void count_syscall(const std::string& name, bool enter);
    void count_exception(const std::string& mnemonic);
};

// By name, in name order, for the summary and the end record.
std::map<std::string_view, uint64_t> Session::exits_by_reason() const {
    std::map<std::string_view, uint64_t> m;
    for (size_t i = 0; i < exits_by_kind_.size(); ++i)
        if (exits_by_kind_[i]) m[exit_kind_names_[i]] += exits_by_kind_[i];
    return m;
}

std::string Session::insn_text(uint64_t cr0, uint64_t cr3, uint64_t rip) const {
    auto i = guest_instruction(mem_, cr0, cr3, rip);
    return i ? i->text : "";
}

void Session::log_exit(const VmExit& e, const Decision& d) {
    if (!log_.enabled()) return;
    log_.write(exit_record(seq_, clock_ns() - t_start_, e, log_sym(e.cpu.regs.rip), note_text(e, d)));
}

// One COM1 line: an event in the exit log, after the exit that finished it.
void Session::log_console_line(const std::string& line) {
    if (log_.enabled())
        log_.write(JsonObject().num("seq", seq_).str("type", "event").str("event", "console").str("device", "com1")
                       .str("text", line).done());
}

// Unknown ports and MMIO: never fatal, always in the exit log, on stderr a few times per port/page.
void Session::report_unhandled(const VmExit& e, const Decision& d) {
    uint64_t key;
    if (auto* io = std::get_if<exits::Io>(&e.kind)) key = io->port;
    else if (auto* m = std::get_if<exits::Mmio>(&e.kind)) key = (m->gpa & ~0xfffull) | (1ull << 63);
    else return;
    switch (unhandled_.check(key)) {
    case devices::AccessLimiter::Verdict::Report:
        spdlog::warn("{} (at {})", note_text(e, d), hex(e.cpu.regs.rip));
        break;
    case devices::AccessLimiter::Verdict::ReportLast:
        spdlog::warn("{} (at {}); further ones like it are not shown (the exit log has them all)", note_text(e, d),
                     hex(e.cpu.regs.rip));
        break;
    case devices::AccessLimiter::Verdict::Silent: break;
    }
}

void Session::count_syscall(const std::string& name, bool enter) {
    if (enter) ++syscalls_by_name_[name];
    if (timeline_) timeline_->syscall_edge(clock_ns() - t_start_, name, enter);
}

void Session::count_exception(const std::string& mnemonic) {
    ++exceptions_by_vector_[mnemonic];
    if (timeline_) timeline_->exception(clock_ns() - t_start_, mnemonic);
}

void Session::make_tracer() {
    if (!opts_.trace.any()) return;
    trace::TraceSink sink;
    sink.line = [](const std::string& l) { out_stderr(l + "\n"); };
    sink.record = [this](const std::string& j) {
        if (log_.enabled()) {
            // The tracer's records carry no sequence number: add this exit's.
            log_.write("{\"seq\":" + std::to_string(seq_) + "," + j.substr(1));
        }
    };
    sink.syscall_edge = [this](const std::string& name, bool enter, uint64_t) { count_syscall(name, enter); };
    sink.exception = [this](const std::string& m) { count_exception(m); };
    tracer_.emplace(opts_.trace, image_.symbols, mem_, std::move(sink));
}

void Session::complete_read(const VmExit& e, uint64_t value) {
    auto& run = vcpu_->run_page();
    if (auto* io = std::get_if<exits::Io>(&e.kind)) {
        auto* base = reinterpret_cast<uint8_t*>(&run);
        for (uint32_t i = 0; i < io->count; ++i) {
            size_t off = run.io.data_offset + size_t(i) * io->size;
            if (off + io->size <= vcpu_->run_size()) std::memcpy(base + off, &value, io->size);
        }
    } else if (auto* m = std::get_if<exits::Mmio>(&e.kind)) {
        std::memcpy(run.mmio.data, &value, std::min<size_t>(m->len, sizeof run.mmio.data));
    }
}

void Session::complete_read_bytes(const VmExit& e, const std::vector<uint8_t>& bytes) {
    auto& run = vcpu_->run_page();
    if (!std::holds_alternative<exits::Io>(e.kind)) return;
    size_t n = std::min<size_t>(bytes.size(), vcpu_->run_size() > run.io.data_offset ? vcpu_->run_size() - run.io.data_offset : 0);
    std::memcpy(reinterpret_cast<uint8_t*>(&run) + run.io.data_offset, bytes.data(), n);
}

// A trapped RDMSR/WRMSR (--msr-setup guest): log it decoded, then complete it through KVM, or
// give the guest the #GP the hardware would.
void Session::handle_msr(const actions::MsrAccess& m, const CpuState& cpu) {
    const char* name = x86::msr_name(m.index);
    uint64_t value = m.value;
    if (!m.fault) {
        if (m.write) {
            // EFER.LMA is the CPU's to set: a guest write of it is ignored, so keep the current bit.
            if (m.index == x86::kMsrEfer) value = (value & ~x86::kEferLma) | (cpu.sregs.efer & x86::kEferLma);
            vcpu_->set_msrs({{m.index, value}});
            if (m.index == x86::kMsrLstar) lstar_now_ = value;  // the tracer re-arms its breakpoint
        } else {
            value = vcpu_->get_msrs({m.index})[0];
        }
    }
    vcpu_->complete_msr(m.write ? 0 : value, m.fault.has_value());
    std::string decoded = x86::describe_msr_value(m.index, value);
    std::string s = x86::msr_holds_address(m.index) ? sym(value) : "";
    std::string line = std::string(m.write ? "wrmsr " : "rdmsr ") + (name ? name : hex(m.index)) +
                       (m.write ? " <- " : " -> ") + hex(value) + (s.empty() ? "" : " <" + s + ">") +
                       (decoded.empty() ? "" : "  " + decoded) + " at " + hex(cpu.regs.rip) +
                       (sym(cpu.regs.rip).empty() ? "" : " <" + sym(cpu.regs.rip) + ">");
    if (m.fault) {
        spdlog::warn("guest {}: refused with #GP: {}", line, *m.fault);
    } else if (opts_.show_msrs) {
        out_stderr("guest " + line + "\n");
    }
    if (log_.enabled()) {
        JsonObject r;
        r.num("seq", seq_).str("type", "msr").str("op", m.write ? "wrmsr" : "rdmsr").hex("index", m.index)
            .str("msr", name ? name : "").hex("value", value).str("sym", s).str("decoded", decoded)
            .hex("rip", cpu.regs.rip).str("rip_sym", sym(cpu.regs.rip)).num("cpl", cpu.cpl());
        if (m.fault) r.str("gp", *m.fault);
        log_.write(r.done());
    }
}

// The proof of what PTI hides: walk the page tables a user-mode CR3 points at and list every
// kernel-half range they map, with its permissions.
void Session::show_user_mappings(uint64_t user_cr3, uint64_t kernel_cr3) {
    constexpr uint64_t kKernelHalf = 0xffff800000000000ull;
    auto ranges = mapped_ranges(mem_, user_cr3, kKernelHalf, ~0ull);
    std::string t = "kernel-half mappings of the user-mode CR3 " + hex(user_cr3) + " at the first syscall (" +
                    (user_cr3 == kernel_cr3 ? "the same page tables as the kernel's" : "kernel CR3 is " + hex(kernel_cr3)) +
                    "), entry mode " + abi::name_of(abi::kEntryModes, boot_.entry_mode) + ":\n";
    std::string arr = "[";
    uint64_t total = 0;
    for (const auto& r : ranges) {
        uint64_t size = r.end - r.start;
        total += size;
        char b[200];
        std::string what = sym(r.start);
        std::snprintf(b, sizeof b, "  %#018llx-%#018llx %10llu KiB  %s %s %s  %s\n", (unsigned long long)r.start,
                      (unsigned long long)(r.end - 1), (unsigned long long)(size >> 10), r.user ? "user" : "supervisor",
                      r.writable ? "rw" : "ro", r.executable ? "x " : "nx", what.c_str());
        t += b;
        arr += std::string(arr.size() > 1 ? "," : "") +
               JsonObject().hex("start", r.start).hex("end", r.end).num("user", r.user).num("writable", r.writable)
                   .num("executable", r.executable).str("sym", what).done();
    }
    arr += "]";
    if (ranges.empty()) t += "  (nothing)\n";
    t += "  " + std::to_string(ranges.size()) + " ranges, " + std::to_string(total >> 10) + " KiB of the kernel half\n";
    out_stderr(t);
    if (log_.enabled())
        log_.write(JsonObject().num("seq", seq_).str("type", "user_mappings").hex("user_cr3", user_cr3)
                       .hex("kernel_cr3", kernel_cr3).str("entry_mode", abi::name_of(abi::kEntryModes, boot_.entry_mode))
                       .num("bytes", total).raw("ranges", arr).done());
}

void Session::handle_event(uint64_t gpa, const CpuState& cpu) {
    auto r = read_guest_event(mem_, gpa);
    if (auto* bad = std::get_if<BadEvent>(&r)) {
        ++bad_events_;
        spdlog::warn("ignored a bad event record from the guest: {}", bad->why);
        if (log_.enabled())
            log_.write(JsonObject().num("seq", seq_).str("type", "event").str("event", "bad_record")
                           .hex("gpa", gpa).str("why", bad->why).done());
        return;
    }
    const auto& ev = std::get<GuestEvent>(r);
    JsonObject rec;
    rec.num("seq", seq_).str("type", "event").str("event", event_name(ev));
    on_event(ev, cpu, rec);
    if (log_.enabled()) log_.write(rec.done());
}

void Session::on_event(const GuestEvent& ev, const CpuState& cpu, JsonObject& rec) {
    if (auto* se = std::get_if<abi::SyscallEnterEvent>(&ev)) {
        ++syscalls_;
        (se->via == abi::EntryVia::Hardware ? via_hw_ : se->via == abi::EntryVia::UdShim ? via_ud_shim_ : via_shim_)++;
        bool compat = se->abi_bits == 32;
        const char* name = compat ? syscall_name32(se->nr) : syscall_name(se->nr);
        // What the monitor finds just before the user return address: the instruction that
        // entered the kernel, read through the user's own page tables.
        std::string insn;
        uint64_t user_cr3 = se->user_cr3 ? se->user_cr3 : cpu.sregs.cr3;
        if (auto b = read_virtual(mem_, user_cr3, se->user_rip - 2, 2, Access::User)) {
            uint8_t b0 = (*b)[0], b1 = (*b)[1];
            insn = b0 == 0x0f && b1 == 0x05 ? "syscall" : b0 == 0xcd && b1 == 0x80 ? "int $0x80"
                 : b0 == 0x0f && b1 == 0x34 ? "sysenter" : "";
        }
        static const char* kDoors[] = {"syscall", "int80", "sysenter"};
        static const char* kVia[] = {"hardware", "pf_shim", "ud_shim"};
        std::string args = "[";
        for (int i = 0; i < 6; ++i) args += (i ? ",\"" : "\"") + hex(se->args[i]) + "\"";
        args += "]";
        rec.num("nr", se->nr).str("name", name ? name : "").str("door", kDoors[uint32_t(se->door) % 3])
            .num("abi_bits", se->abi_bits ? se->abi_bits : 64u).raw("args", args).hex("user_rip", se->user_rip)
            .str("user_insn", insn).hex("user_rflags", se->user_rflags).hex("user_rsp", se->user_rsp)
            .hex("lstar", se->lstar).str("lstar_sym", sym(se->lstar)).str("via", kVia[uint32_t(se->via) % 3])
            .hex("handler", se->handler).str("handler_sym", sym(se->handler)).hex("pt_regs", se->pt_regs)
            .hex("regs_ip", se->regs_ip).hex("regs_cs", se->regs_cs).hex("regs_flags", se->regs_flags)
            .hex("regs_sp", se->regs_sp).hex("regs_ss", se->regs_ss).hex("stack_top", se->stack_top)
            .str("stack_sym", sym(se->stack_top)).str("entry_mode", abi::name_of(abi::kEntryModes, abi::EntryMode(se->entry_mode)))
            .hex("user_cr3", user_cr3)
            .num("cpl", cpu.cpl()).hex("gs_base", cpu.sregs.gs.base).hex("rsp", cpu.regs.rsp).hex("cr3", cpu.sregs.cr3)
            .num("guest_cpl", se->cpl);
        if (opts_.show_user_mappings && syscalls_ == 1) show_user_mappings(user_cr3, cpu.sregs.cr3);
        if (!tracer_ || !(opts_.trace.syscalls || opts_.trace.path)) count_syscall(name ? name : "syscall_" + std::to_string(se->nr), true);
        narrating_ = opts_.narration == Narration::AllSyscalls ||
                     (opts_.narration == Narration::FirstSyscall && syscalls_ == 1);
        if (narrating_) out_stderr(narrate_syscall_entry(unsigned(syscalls_), *se, cpu, image_.symbols, insn));
    } else if (auto* sx = std::get_if<abi::SyscallExitEvent>(&ev)) {
        static const char* kHow[] = {"sysretq", "iretq", "sysexit"};
        rec.num("nr", sx->nr).hex("ret", sx->ret).str("how", kHow[uint32_t(sx->how) % 3]).hex("rcx", sx->rcx)
            .hex("r11", sx->r11).hex("user_rsp", sx->user_rsp).hex("sysret_cs", sx->sysret_cs)
            .hex("sysret_ss", sx->sysret_ss).hex("regs_ip", sx->regs_ip).hex("regs_cs", sx->regs_cs)
            .hex("regs_flags", sx->regs_flags).hex("regs_sp", sx->regs_sp).hex("regs_ss", sx->regs_ss)
            .num("cpl", cpu.cpl())
            .num("return_cpl", sx->how == abi::ReturnVia::Iret ? unsigned(sx->regs_cs & 3) : unsigned(sx->sysret_cs & 3))
            .hex("cr3", cpu.sregs.cr3).hex("user_cr3", sx->user_cr3 ? sx->user_cr3 : cpu.sregs.cr3);
        if (narrating_) out_stderr(narrate_syscall_exit(*sx, cpu, image_.symbols));
        narrating_ = false;
        if (timeline_ && (!tracer_ || !(opts_.trace.syscalls || opts_.trace.path)))
            timeline_->syscall_edge(clock_ns() - t_start_, "", false);
    } else if (auto* ex = std::get_if<abi::ExceptionEvent>(&ev)) {
        ++exceptions_;
        std::string insn = insn_text(cpu.sregs.cr0, ex->cr3, ex->rip);
        const auto& v = x86::kVectors[ex->vector & 31];
        rec.num("vector", ex->vector).str("mnemonic", v.mnemonic).str("vector_name", v.name)
            .hex("handler_rsp", ex->handler_rsp).str("handler_stack", sym(ex->handler_rsp))
            .hex("error_code", ex->error_code).num("has_error_code", bool(ex->has_error_code))
            .str("error_decoded", x86::decode_error_code(ex->vector, ex->error_code, ex->has_error_code))
            .hex("rip", ex->rip).str("sym", sym(ex->rip)).str("insn", insn).hex("cs", ex->cs).num("from_cpl", ex->cs & 3)
            .hex("rflags", ex->rflags).hex("rsp", ex->rsp).hex("ss", ex->ss).hex("cr2", ex->cr2)
            .str("action", ex->action == abi::ExceptionAction::KillTask ? "kill_task"
                           : ex->action == abi::ExceptionAction::Fixup  ? "fixup"
                                                                        : "panic").num("signal", ex->signal);
        spdlog::info("guest exception: {}", describe_exception(*ex, image_.symbols, insn));
        if (!tracer_ || !opts_.trace.exceptions) count_exception(v.mnemonic);
    } else if (auto* cw = std::get_if<abi::ConsoleWriteEvent>(&ev)) {
        rec.num("fd", cw->fd).hex("va", cw->va).num("len", cw->len);
        std::optional<std::vector<uint8_t>> bytes;
        if (cw->len <= kConsoleWriteMax) bytes = read_virtual(mem_, cpu.sregs.cr3, cw->va, cw->len, Access::User);
        if (!bytes) {
            ++bad_events_;
            rec.str("error", "buffer not readable as user memory through CR3 " + hex(cpu.sregs.cr3));
            spdlog::warn("guest console write of {} bytes at {} is not readable user memory", cw->len, hex(cw->va));
            return;
        }
        std::fwrite(bytes->data(), 1, bytes->size(), stdout);
        std::fflush(stdout);
        rec.str("text", std::string_view(reinterpret_cast<const char*>(bytes->data()), std::min<size_t>(bytes->size(), 1024)));
    } else if (auto* ue = std::get_if<UserEnter>(&ev)) {
        rec.str("program", ue->name).hex("rip", ue->raw.rip).hex("rsp", ue->raw.rsp).hex("cs", ue->raw.cs)
            .hex("ss", ue->raw.ss).hex("rflags", ue->raw.rflags).hex("cr3", ue->raw.cr3);
        spdlog::debug("kernel enters ring 3: {} at {} (CS={}, RSP={})", ue->name, hex(ue->raw.rip),
                      hex(ue->raw.cs), hex(ue->raw.rsp));
    } else if (auto* lt = std::get_if<LogText>(&ev)) {
        rec.num("level", lt->level).str("text", lt->text);
        std::fwrite(lt->text.data(), 1, lt->text.size(), stdout);  // printk is guest console output
        if (lt->text.empty() || lt->text.back() != '\n') std::fputc('\n', stdout);
        std::fflush(stdout);
    } else if (auto* sd = std::get_if<abi::ShutdownEvent>(&ev)) {
        guest_counters_ = *sd;
        rec.num("status", sd->status).num("syscalls", sd->syscalls).num("via_hardware", sd->via_hardware)
            .num("via_pf_shim", sd->via_pf_shim).num("exceptions", sd->exceptions);
    }
}

void Session::report_stop(const actions::Stop& stop, const VmExit& e, const std::string& note) {
    switch (stop.reason) {
    case StopReason::GuestExit:
        spdlog::info("guest exited with status {}", stop.status);
        return;
    case StopReason::Interrupted:
        spdlog::warn("stopped by {} (guest at {} CPL {})", note, hex(e.cpu.regs.rip), e.cpu.cpl());
        return;
    default: break;
    }
    std::string what = std::string(stop_reason_name(stop.reason)) + ": " + note;
    if (stop.reason == StopReason::Timeout) what = "timeout: the guest was still running after " + std::to_string(opts_.timeout_s) + " s";
    std::string detail = "  at " + instruction_at(mem_, e.cpu, image_.symbols) + "\n" + register_dump(e.cpu, image_.symbols);
    if (auto* ie = std::get_if<exits::InternalError>(&e.kind))
        if (auto d = emulation_failure_detail(*ie); !d.empty()) detail = "  " + d + "\n" + detail;
    spdlog::error("{}", what);
    out_stderr(detail);
    if (log_.enabled())
        log_.write(JsonObject().num("seq", seq_).str("type", "fault").str("reason", stop_reason_name(stop.reason))
                       .str("note", note).hex("rip", e.cpu.regs.rip).str("sym", sym(e.cpu.regs.rip)).num("cpl", e.cpu.cpl())
                       .str("insn", insn_text(e.cpu.sregs.cr0, e.cpu.sregs.cr3, e.cpu.regs.rip)).hex("rsp", e.cpu.regs.rsp)
                       .hex("rflags", e.cpu.regs.rflags).hex("cr0", e.cpu.sregs.cr0).hex("cr2", e.cpu.sregs.cr2)
                       .hex("cr3", e.cpu.sregs.cr3).hex("cr4", e.cpu.sregs.cr4).hex("efer", e.cpu.sregs.efer)
                       .hex("cs", e.cpu.sregs.cs.selector).hex("ss", e.cpu.sregs.ss.selector)
                       .hex("idt_base", e.cpu.sregs.idt.base).hex("idt_limit", e.cpu.sregs.idt.limit).done());
}

void Session::write_end(const actions::Stop& stop, const std::string& note) {
    uint64_t total = clock_ns() - t_start_;
    if (board_) board_->flush();
    if (tracer_) tracer_->finish();
    if (timeline_) {
        try {
            timeline_->write(total);
            spdlog::debug("timeline: {} events in {}", timeline_->events(), opts_.trace_out);
        } catch (const IoError& e) {
            spdlog::error("{}", e.what());
        }
    }
    std::string by = "{";
    std::string by_text;
    for (auto& [k, v] : exits_by_reason()) {
        by += (by.size() > 1 ? ",\"" : "\"") + std::string(k) + "\":" + std::to_string(v);
        by_text += (by_text.empty() ? "" : ", ") + std::string(k) + " " + std::to_string(v);
    }
    by += "}";
    if (log_.enabled())
        log_.write_end(JsonObject().num("seq", seq_).str("type", "end").str("reason", stop_reason_name(stop.reason))
                       .num("status", stop.status).str("note", note).num("exits", seq_).raw("exits_by_reason", by)
                       .num("total_ns", total).num("guest_ns", guest_ns_).num("monitor_ns", total - guest_ns_)
                       .num("syscalls", syscalls_).num("via_hardware", via_hw_).num("via_pf_shim", via_shim_)
                       .num("via_ud_shim", via_ud_shim_)
                       .num("exceptions", exceptions_).num("bad_events", bad_events_)
                       .num("seccomp", seccomp_allowed_ > 0).num("seccomp_allowed", seccomp_allowed_).done());
    if (!opts_.summary) return;
    std::string s = "lstar summary: " + std::string(stop_reason_name(stop.reason)) + ", exit status " +
                    std::to_string(stop.status) + ", " + ms(total) + " from first KVM_RUN\n";
    s += "  exits        " + std::to_string(seq_) + " (" + by_text + ")\n";
    s += "  time         " + ms(guest_ns_) + " in the guest (inside KVM_RUN), " + ms(total - guest_ns_) + " in the monitor\n";
    if (boot_.foreign) {  // no guest events, no syscall counters: the kernel does not know lstar
        out_stderr(s);
        return;
    }
    uint64_t sc = syscalls_, hw = via_hw_, sh = via_shim_;
    std::string src = "from guest events";
    if (!opts_.guest_events && guest_counters_) {
        sc = guest_counters_->syscalls, hw = guest_counters_->via_hardware, sh = guest_counters_->via_pf_shim;
        src = "from the kernel's counters at shutdown";
    }
    s += "  syscalls     " + std::to_string(sc) + ": " + std::to_string(hw) + " entered by the CPU itself, " +
         std::to_string(sh) + " completed by the #PF shim" +
         (via_ud_shim_ ? ", " + std::to_string(via_ud_shim_) + " (int $0x80) by the #UD shim" : "") + " (" + src + ")\n";
    if (sh > 0) s += "               the #PF shim ran because this host (" + host_.module + ") does not switch to CPL 0 on SYSCALL\n";
    if (via_ud_shim_ > 0)
        s += "               the #UD shim ran because this host (" + host_.module + ") raises #UD for int $0x80 from ring 3\n";
    s += "  exceptions   " + std::to_string(exceptions_) + "\n";
    auto join = [](const std::map<std::string, uint64_t>& m) {
        std::string j;
        for (auto& [k, v] : m) j += (j.empty() ? "" : ", ") + k + " " + std::to_string(v);
        return j;
    };
    if (!syscalls_by_name_.empty()) s += "  by name      " + join(syscalls_by_name_) + "\n";
    if (!exceptions_by_vector_.empty()) s += "  by vector    " + join(exceptions_by_vector_) + "\n";
    if (tracer_)
        s += "  traced       " + std::to_string(tracer_->traced_syscalls()) + " syscalls, " +
             std::to_string(tracer_->traced_exceptions()) + " exceptions, " + std::to_string(tracer_->steps()) +
             " single steps, from outside the guest (debug exits " + std::to_string(exits_by_reason()["debug"]) + ")\n";
    if (bad_events_) s += "  bad records  " + std::to_string(bad_events_) + " (ignored)\n";
    if (log_.dropped_records())
        s += "  exit log     " + std::to_string(log_.dropped_records()) + " records (" +
             std::to_string(log_.dropped_bytes() >> 10) + " KiB) dropped in the middle: it keeps the first and the last (--exit-log-limit " +
             std::to_string(log_.limit() >> 20) + " MiB)\n";
    s += seccomp_allowed_ ? "  seccomp      filter installed on every thread: " + std::to_string(seccomp_allowed_) +
                                " system calls allowed" +
                                (seccomp::kSanitizerBuild ? " (a sanitizer build's filter: all but sockets and execve)\n"
                                                          : " (KVM ioctls on the vCPU descriptor, writes to lstar's own files)\n")
                          : "  seccomp      off (--no-seccomp)\n";
    out_stderr(s);
}

// After set-up, before the first KVM_RUN: only the run loop's system calls from here on.
void Session::install_seccomp() {
    seccomp::RunLoopFds fds;
    fds.kvm = {vcpu_->fd()};
    fds.output = {STDOUT_FILENO, STDERR_FILENO};
    if (log_.enabled()) fds.output.push_back(log_.fd());
    if (timeline_) fds.output.push_back(timeline_->fd());
    if (gdb_) fds.sockets = gdb_->descriptors();
    if (timings::status_fd() >= 0) fds.readonly = {timings::status_fd()};
    auto policy = seccomp::run_loop_policy(fds);
    seccomp::install(policy, on_seccomp_refused);
    seccomp_allowed_ = seccomp::allowed_count(policy);
    spdlog::debug("seccomp: filter installed on every thread, {} system calls allowed ({} BPF instructions{})",
                  seccomp_allowed_, seccomp::compile(policy).size(),
                  seccomp::kSanitizerBuild ? "; a sanitizer build: everything but sockets and execve (docs/seccomp.md)" : "");
}

int Session::run() {
    spdlog::info("{}: {}", image_.name, boot_.image_kind);
    // The output files are created (and truncated) only now: KVM is open and the image loaded.
    if (!opts_.exit_log.empty()) {
        try {
            log_.open(opts_.exit_log);
        } catch (const std::system_error& e) {
            spdlog::error("{}", e.what());
            return status::kIoError;
        }
    }
    if (!opts_.trace_out.empty()) {
        try {
            timeline_.emplace().open(opts_.trace_out);
        } catch (const IoError& e) {
            spdlog::error("--trace-out: {}", e.what());
            return e.status();
        }
    }
    if (opts_.show_setup) out_stderr(setup_table(boot_, image_.symbols, host_.description));
    if (log_.enabled()) log_.write(setup_json(boot_, image_.symbols, host_.description, kExitLogSchema));
    make_tracer();
    lstar_now_ = boot_.protocol == Protocol::Lstar64 ? boot_.lstar : 0;  // PVH: known at the guest's WRMSR
    if (tracer_) vcpu_->set_guest_debug(tracer_->start(CpuState{vcpu_->get_regs(), vcpu_->get_sregs()}, lstar_now_));
    if (!opts_.gdb.empty()) {
        gdb_ = std::make_unique<gdb::Stub>(opts_.gdb);
        const std::string elf = opts_.image                 ? *opts_.image
                                : !opts_.symbol_file.empty() ? opts_.symbol_file
                                                             : "KERNEL.elf (`lstar kernel-elf FILE` writes it)";
        spdlog::info("waiting for gdb on {}: gdb {} -ex 'target remote {}'", gdb_->address(), elf, gdb_->address());
        gdb_->wait_for_attach();
        auto r = gdb_->on_stop(gdb::StopCause::Start, *vcpu_, mem_);
        if (r.kill) {
            actions::Stop s{StopReason::Interrupted, status::kSigint};
            write_end(s, "killed from gdb before the first instruction");
            return log_.close() ? s.status : status::kIoError;
        }
        vcpu_->set_guest_debug(r.debug);
    }
    SignalGuard signals(*vcpu_, opts_.timeout_s);
    if (opts_.seccomp) install_seccomp();
    // A hidden hook for the test that proves the filter works: a forbidden call from the run loop.
    if (std::getenv("LSTAR_TEST_SECCOMP_VIOLATION")) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        spdlog::warn("LSTAR_TEST_SECCOMP_VIOLATION: socket() from the run loop returned {} ({})", fd,
                     fd < 0 ? std::strerror(errno) : "allowed");
        if (fd >= 0) ::close(fd);
    }
    // The segment and control registers with every exit only when something reads them at every
    // exit (the exit log's CPL, the tracer, gdb); otherwise from the first exit that needs them on.
    vcpu_->sync_sregs(log_.enabled() || tracer_ || gdb_ || timeline_);
    t_start_ = clock_ns();
    uint64_t last_exit_at = 0;
    std::string_view last_reason;
    for (;;) {
        if (long nr = seccomp::refused_syscall(); nr >= 0) {
            // lstar itself made a call its filter forbids: a bug, or something subverted the monitor.
            const char* name = syscall_name(uint64_t(nr));
            std::string note = "seccomp refused the monitor's system call " + std::string(name ? name : "?") + " (" +
                               std::to_string(nr) + ")";
            actions::Stop s{StopReason::SeccompViolation, status::kSeccompViolation};
            spdlog::error("{}: {}", stop_reason_name(s.reason), note);
            write_end(s, note);
            if (gdb_) gdb_->on_exit(s.status);
            return log_.close() ? s.status : status::kIoError;
        }
        uint64_t t0 = clock_ns();
        if (timeline_ && last_exit_at) timeline_->vm_exit(last_exit_at - t_start_, t0 - last_exit_at, last_reason);
        if (gdb_) gdb_->start_watching(*vcpu_);
        VmExit e = vcpu_->run();
        if (gdb_) gdb_->stop_watching();
        last_exit_at = clock_ns();
        last_reason = exit_name(e.kind);
        guest_ns_ += last_exit_at - t0;
        if (auto* in = std::get_if<exits::Interrupted>(&e.kind)) {
            in->signal = g_signal.load();
            vcpu_->run_page().immediate_exit = 0;
        }
        if (!e.sregs_valid && exit_needs_sregs(e)) {
            e.cpu.sregs = vcpu_->get_sregs();
            e.sregs_valid = true;
            vcpu_->sync_sregs(true);  // a guest that needed them once will again: no ioctl per exit
        }
        if (seq_ == 0) timings::mark("first_exit");
        ++seq_;
        if (!exits_by_kind_[e.kind.index()]++) exit_kind_names_[e.kind.index()] = last_reason;
        if (gdb_) {  // gdb owns debug exits and its own Ctrl-C
            auto* dbg = std::get_if<exits::Debug>(&e.kind);
            auto* in = std::get_if<exits::Interrupted>(&e.kind);
            if (dbg || (in && gdb_->interrupt_requested())) {
                log_exit(e, Decision{actions::Continue{}, dbg ? "" : "interrupted by gdb"});
                auto cause = !dbg ? gdb::StopCause::Interrupt
                             : x86::dr6_single_step(dbg->dr6) ? gdb::StopCause::Step : gdb::StopCause::Breakpoint;
                auto r = gdb_->on_stop(cause, *vcpu_, mem_);
                if (r.kill) {
                    actions::Stop s{StopReason::Interrupted, status::kSigint};
                    report_stop(s, e, "killed from gdb");
                    write_end(s, "killed from gdb");
                    return log_.close() ? s.status : status::kIoError;
                }
                vcpu_->set_guest_debug(r.debug);
                continue;
            }
        }
        if (auto* dbg = std::get_if<exits::Debug>(&e.kind); dbg && tracer_) {
            log_exit(e, Decision{actions::Continue{}, ""});
            vcpu_->set_guest_debug(tracer_->on_debug(*dbg, e.cpu));
            continue;
        }
        std::optional<Decision> dev;
        if (auto* io = std::get_if<exits::Io>(&e.kind)) dev = board_->on_io(*io);
        Decision d = dev ? std::move(*dev) : dispatch(e);
        log_exit(e, d);
        if (d.unhandled_access) report_unhandled(e, d);
        else if (!d.note.empty() && !std::holds_alternative<actions::Stop>(d.action)) spdlog::debug("{}", d.note);
        if (auto* c = std::get_if<actions::ConsoleOut>(&d.action)) {
            std::fwrite(c->bytes.data(), 1, c->bytes.size(), stdout);
            std::fflush(stdout);
        } else if (auto* m = std::get_if<actions::MsrAccess>(&d.action)) {
            handle_msr(*m, e.cpu);
        } else if (auto* g = std::get_if<actions::ReadEvent>(&d.action)) {
            handle_event(g->gpa, e.cpu);
        } else if (auto* r = std::get_if<actions::CompleteRead>(&d.action)) {
            if (r->bytes.empty()) complete_read(e, r->value);
            else complete_read_bytes(e, r->bytes);
        } else if (auto* s = std::get_if<actions::Stop>(&d.action)) {
            timings::mark("guest_run");
            timings::note_guest_ram(mem_.host_base(), mem_.size());
            report_stop(*s, e, d.note);
            write_end(*s, d.note);
            if (gdb_) gdb_->on_exit(s->status);
            if (!log_.close()) {
                spdlog::error("{}", log_.error());
                return status::kIoError;
            }
            return s->status;
        }
        if (tracer_)
            if (auto dbg = tracer_->after_exit(e.cpu, lstar_now_)) vcpu_->set_guest_debug(*dbg);
        if (log_.failed()) {
            // Do not run blind: a log that cannot be written stops the guest.
            actions::Stop s{StopReason::LogError, status::kIoError};
            spdlog::error("{}; stopping the guest", log_.error());
            write_end(s, log_.error());
            return status::kIoError;
        }
    }
}

}  // namespace

namespace {

// Everything before the run loop that can refuse the run, in order; throws the layers' Errors.
int run_or_throw(const RunOptions& opts) {
    KernelImage image = opts.image ? KernelImage::from_file(*opts.image) : KernelImage::builtin();
    timings::mark("image");
    BootOptions boot_opts{opts.cmdline};
    boot_opts.guest_events = opts.guest_events;
    boot_opts.entry_mode = opts.entry_mode;
    boot_opts.msr_setup = opts.msr_setup;
    try {
        boot_opts.protocol = choose_protocol(inspect_image(image.file), opts.boot, opts.msr_setup == MsrSetup::Guest);
    } catch (const BadImage& e) {
        throw BadImage(e.what(), "cannot boot " + image.name);
    }
    const bool foreign = boot_opts.protocol == Protocol::Pvh || boot_opts.protocol == Protocol::Multiboot;
    if (foreign && !opts.cmdline_given) boot_opts.cmdline = "";  // lstar's default init=hello is for its own kernel
    // Multiboot's command line starts with the kernel's path, as GRUB and QEMU pass it.
    if (boot_opts.protocol == Protocol::Multiboot)
        boot_opts.cmdline = image.name + (boot_opts.cmdline.empty() ? "" : " " + boot_opts.cmdline);
    if (!foreign && !opts.modules.empty())
        throw UsageError("--module is for PVH and multiboot kernels; " + image.name + " boots with " +
                         protocol_name(boot_opts.protocol));
    for (const auto& path : opts.modules) {
        try {
            boot_opts.modules.push_back({path, read_file(path)});
        } catch (const std::system_error& e) {
            throw BadImage(e.what(), "cannot read the module");
        }
    }
    std::vector<uint8_t> initrd;
    if (!opts.initrd.empty()) {
        initrd = load_initrd(opts.initrd);
        // A foreign kernel gets it as its first module, as QEMU's -initrd; lstar's kernel in BootInfo.
        if (foreign) boot_opts.modules.insert(boot_opts.modules.begin(), BootModule{opts.initrd, std::move(initrd)});
        else boot_opts.initrd = &initrd;
    }
    std::optional<ExitLog> log;
    log.emplace("", opts.exit_log_limit_mib << 20);  // opened by the run loop, once the run can start
    kvm::System sys(opts.kvm_path);
    sys.require(kvm::kRequiredCapabilities);
    timings::mark("kvm_open");
    int rc;
    {
        Session s(opts, std::move(image), sys, *log, std::move(boot_opts));
        rc = s.run();
    }
    timings::mark("teardown");  // the exit log closed (in run()), the VM's descriptors and memory freed
    if (timings::enabled()) out_stderr(timings::report());
    // A refused call after the run loop (writing the end of the run) still fails the run.
    return seccomp::refused_syscall() >= 0 ? status::kSeccompViolation : rc;
}

}  // namespace

int run_vm(const RunOptions& opts) {
    try {
        return run_or_throw(opts);
    } catch (const Error& e) {  // each layer's error carries its exit status
        spdlog::error("{}", e.message());
        return e.status();
    } catch (const std::exception& e) {  // a bug, or a KVM call that failed unexpectedly
        spdlog::error("{}{}", dynamic_cast<const std::system_error*>(&e) ? "" : "internal error: ", e.what());
        return status::kInternal;
    }
}

}  // namespace lstar
