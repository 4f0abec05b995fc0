#include "run/run_loop.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <system_error>
#include <spdlog/spdlog.h>

#include "boot/setup_report.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/syscall_names.hpp"
#include "cpu/debug_regs.hpp"
#include "memory/instruction_fetch.hpp"
#include "run/dispatcher.hpp"
#include "run/exit_log_schema.hpp"
#include "run/fault_report.hpp"
#include "run/seccomp.hpp"
#include "run/signals.hpp"
#include "run/timings.hpp"

namespace lstar {

namespace {

// Port I/O other than the guest's event port, and MMIO, are served from the exit alone (devices,
// the console, the exit port, unhandled accesses). Every other exit may read CR0, CR3, EFER or the
// CPL: events walk the guest's page tables, MSR writes are checked against CR0 and EFER, and
// reports of faults, timeouts and signals show them.
bool exit_needs_sregs(const VmExit& e) {
    if (auto* io = std::get_if<exits::Io>(&e.kind)) return io->port == abi::kPortEvent;
    return !std::holds_alternative<exits::Mmio>(e.kind);
}

void out_stderr(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stderr); }

void out_stdout(const void* data, size_t n) {
    std::fwrite(data, 1, n, stdout);
    std::fflush(stdout);
}

}  // namespace

RunLoop::RunLoop(const RunOptions& opts, Machine& machine, ExitLog& log)
    : opts_(opts), m_(machine), log_(log), records_(log, machine.image.symbols),
      board_(devices::BoardConfig{machine.mem.size(), opts.smp, machine.boot.cmdline},
             devices::ConsoleSinks{[](const std::string& b) { out_stdout(b.data(), b.size()); },
                                   [this](const std::string& l) { records_.console_line(l); },
                                   // Foreign kernels have the in-kernel irqchip: COM1 interrupts through it.
                                   machine.boot.foreign ? std::function<void(unsigned, bool)>([this](unsigned irq, bool l) {
                                       m_.vm.irq_line(irq, l);
                                   })
                                                        : nullptr}) {
    board_.attach(router_.bus());
}

uint64_t RunLoop::since_start() const { return clock_ns() - t_start_; }

std::string RunLoop::insn_text(uint64_t cr0, uint64_t cr3, uint64_t rip) const {
    auto i = guest_instruction(m_.mem, cr0, cr3, rip);
    return i ? i->text : "";
}

void RunLoop::make_tracer() {
    trace::TraceOptions topts = opts_.trace;
    topts.preemptive = m_.boot.foreign;  // Linux has interrupts and a scheduler; lstar's kernel runs a call to its end
    // A foreign kernel sends no syscall events: its user CR3 comes from a breakpoint at LSTAR.
    topts.first_entry = opts_.show_user_mappings && m_.boot.foreign;
    if (!topts.any()) return;
    trace::TraceSink sink;
    sink.line = [this](const std::string& l) {
        if (trace_file_.is_open()) trace_file_.line(l);
        else out_stderr(l + "\n");
    };
    sink.record = [this](const std::string& j) { records_.with_seq(j); };  // the tracer's records: this exit's seq
    sink.syscall_edge = [this](const std::string& name, bool enter, uint64_t) { count_syscall(name, enter); };
    sink.exception = [this](const std::string& m) { count_exception(m); };
    sink.entry = [this](const CpuState& cpu) {
        if (opts_.show_user_mappings && m_.boot.foreign && !user_mappings_shown_) {
            user_mappings_shown_ = true;
            // CR3 at LSTAR is the user's. With PTI, Linux keeps the kernel's PGD in the page before
            // (PTI_USER_PGTABLE_BIT, 12) and the user PCID has bit 11 set.
            const uint64_t cr3 = cpu.sregs.cr3;
            show_user_mappings(cr3, cr3 & (1ull << 12) ? cr3 & ~((1ull << 12) | (1ull << 11)) : cr3);
        }
    };
    tracer_.emplace(topts, m_.image.symbols, m_.mem, std::move(sink), bps_, m_.image.elf.segments);
    router_.add_hook({[this](const VmExit& e) { return std::holds_alternative<exits::Debug>(e.kind) || bp_sw_; },
                      [this](const VmExit&) { return std::string(bp_sw_ ? "software breakpoint" : ""); },
                      [this](const VmExit& e) {
                          auto* dbg = std::get_if<exits::Debug>(&e.kind);
                          m_.vcpu->set_guest_debug(tracer_->on_debug(dbg ? *dbg : trace::kPatchBreakpoint, e.cpu));
                          return true;
                      }});
}

std::optional<int> RunLoop::attach_gdb() {
    if (opts_.gdb.empty()) return std::nullopt;
    gdb_ = std::make_unique<gdb::Stub>(opts_.gdb, bps_, m_.image.elf.segments);
    const std::string elf = opts_.image                 ? *opts_.image
                            : !opts_.symbol_file.empty() ? opts_.symbol_file
                                                         : "KERNEL.elf (`lstar kernel-elf FILE` writes it)";
    spdlog::info("waiting for gdb on {}: gdb {} -ex 'target remote {}'", gdb_->address(), elf, gdb_->address());
    gdb_->wait_for_attach();
    auto r = gdb_->on_stop(gdb::StopCause::Start, *m_.vcpu, m_.mem);
    if (r.kill) {
        actions::Stop s{StopReason::Interrupted, exit_status(StopReason::Interrupted, SIGINT)};
        write_end(s, "killed from gdb before the first instruction");
        return log_.close() ? s.status : status::kIoError;
    }
    m_.vcpu->set_guest_debug(r.debug);
    // gdb owns debug exits and its own Ctrl-C: the first hook, before the tracer's.
    router_.add_hook({[this](const VmExit& e) {
                          auto* in = std::get_if<exits::Interrupted>(&e.kind);
                          return std::holds_alternative<exits::Debug>(e.kind) || bp_sw_ ||
                                 (in && gdb_->interrupt_requested());
                      },
                      [this](const VmExit& e) {
                          return std::string(std::holds_alternative<exits::Debug>(e.kind) || bp_sw_ ? ""
                                                                                                   : "interrupted by gdb");
                      },
                      [this](const VmExit& e) {
                          auto* dbg = std::get_if<exits::Debug>(&e.kind);
                          auto cause = bp_sw_ ? gdb::StopCause::Breakpoint
                                       : !dbg  ? gdb::StopCause::Interrupt
                                       : x86::dr6_single_step(dbg->dr6) ? gdb::StopCause::Step
                                                                        : gdb::StopCause::Breakpoint;
                          auto r = gdb_->on_stop(cause, *m_.vcpu, m_.mem);
                          if (r.kill) return false;
                          m_.vcpu->set_guest_debug(r.debug);
                          return true;
                      }});
    return std::nullopt;
}

// After set-up, before the first KVM_RUN: only the run loop's system calls from here on.
void RunLoop::install_seccomp() {
    seccomp::RunLoopFds fds;
    fds.kvm = {m_.vcpu->fd()};
    if (m_.boot.foreign) fds.kvm.push_back(m_.vm.fd());  // KVM_IRQ_LINE
    fds.output = {STDOUT_FILENO, STDERR_FILENO};
    fds.input = {STDIN_FILENO};  // the guest's console reads (run_events.cpp on_console_read)
    if (log_.enabled()) fds.output.push_back(log_.fd());
    if (timeline_) fds.output.push_back(timeline_->fd());
    if (trace_file_.is_open()) fds.output.push_back(trace_file_.fd());
    if (gdb_) fds.sockets = gdb_->descriptors();
    if (timings::status_fd() >= 0) fds.readonly = {timings::status_fd()};
    auto policy = seccomp::run_loop_policy(fds);
    seccomp::install(policy, stop_vcpu_soon);
    seccomp_allowed_ = seccomp::allowed_count(policy);
    spdlog::debug("seccomp: filter installed on every thread, {} system calls allowed ({} BPF instructions{})",
                  seccomp_allowed_, seccomp::compile(policy).size(),
                  seccomp::kSanitizerBuild ? "; a sanitizer build: everything but sockets and execve (docs/seccomp.md)" : "");
}

int RunLoop::run() {
    const BootState& boot = m_.boot;
    spdlog::info("{}: {}", m_.image.name, boot.image_kind);
    // The output files are created (and truncated) only now: KVM is open and the image loaded.
    if (!opts_.exit_log.empty()) {
        try {
            log_.open(opts_.exit_log);
        } catch (const std::system_error& e) {
            spdlog::error("{}", e.what());
            return status::kIoError;
        }
    }
    if (!opts_.trace_file.empty()) {
        try {
            trace_file_.open(opts_.trace_file);
        } catch (const IoError& e) {
            spdlog::error("{}", e.what());
            return e.status();
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
    if (opts_.show_setup) out_stderr(setup_table(boot, m_.image.symbols, m_.host.description));
    if (records_.enabled()) records_.raw(setup_json(boot, m_.image.symbols, m_.host.description, kExitLogSchema));
    if (opts_.trace.any() || !opts_.gdb.empty() || (opts_.show_user_mappings && boot.foreign))
        bps_ = trace::choose_breakpoints(m_.host, *m_.vcpu, m_.mem, !boot.foreign);
    make_tracer();
    if (timeline_ && tracer_) timeline_->set_breakpoints(trace::bp_kind_name(bps_.kind));
    lstar_now_ = boot.protocol == Protocol::Lstar64 ? boot.lstar : 0;  // PVH: known at the guest's WRMSR
    if (tracer_) m_.vcpu->set_guest_debug(tracer_->start(CpuState{m_.vcpu->get_regs(), m_.vcpu->get_sregs()}, lstar_now_));
    if (auto killed = attach_gdb()) return *killed;
    SignalGuard signals(*m_.vcpu, opts_.timeout_s);
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
    m_.vcpu->sync_sregs(log_.enabled() || tracer_ || gdb_ || timeline_);
    seen_.boot(boot.entry_cpu);
    t_start_ = clock_ns();
    uint64_t last_exit_at = 0;
    std::string_view last_reason;
    for (;;) {
        if (long nr = seccomp::refused_syscall(); nr >= 0) {
            // lstar itself made a call its filter forbids: a bug, or something subverted the monitor.
            const char* name = syscall_name(uint64_t(nr));
            std::string note = "seccomp refused the monitor's system call " + std::string(name ? name : "?") + " (" +
                               std::to_string(nr) + ")";
            actions::Stop s{StopReason::SeccompViolation, exit_status(StopReason::SeccompViolation)};
            spdlog::error("{}: {}", stop_reason_name(s.reason), note);
            return end(s, nullptr, note);
        }
        uint64_t t0 = clock_ns();
        if (timeline_ && last_exit_at) timeline_->vm_exit(last_exit_at - t_start_, t0 - last_exit_at, last_reason);
        if (gdb_) gdb_->start_watching(*m_.vcpu);
        VmExit e = m_.vcpu->run();
        if (gdb_) gdb_->stop_watching();
        last_exit_at = clock_ns();
        last_reason = exit_name(e.kind);
        counts_.guest_ns += last_exit_at - t0;
        if (auto* in = std::get_if<exits::Interrupted>(&e.kind)) {
            in->signal = SignalGuard::last_signal();
            m_.vcpu->run_page().immediate_exit = 0;
        }
        if (!e.sregs_valid && exit_needs_sregs(e)) {
            e.cpu.sregs = m_.vcpu->get_sregs();
            e.sregs_valid = true;
            m_.vcpu->sync_sregs(true);  // a guest that needed them once will again: no ioctl per exit
        }
        if (records_.seq() == 0) timings::mark("first_exit");
        records_.next_exit();
        if (!std::holds_alternative<exits::Shutdown>(e.kind)) seen_.exit(e, records_.seq(), last_reason);
        // A software breakpoint (a hlt or an `out 0xef, al`, trace/code_patches.hpp): back onto it,
        // with KVM_SET_REGS before any KVM_SET_GUEST_DEBUG (a single step is armed for the RIP KVM
        // has). An OUT is finished first, or KVM would skip the instruction RIP is put back on.
        std::optional<uint64_t> bp_at = gdb_ ? gdb_->software_hit(e) : std::nullopt;
        if (!bp_at && tracer_) bp_at = tracer_->software_hit(e);
        bp_sw_ = bp_at.has_value();
        if (bp_sw_) {
            if (std::holds_alternative<exits::Io>(e.kind)) m_.vcpu->finish_pending_io();
            e.cpu.regs.rip = *bp_at;
            m_.vcpu->set_regs(e.cpu.regs);
        }
        counts_.count_exit(e, last_reason);
        auto routed = router_.route(e);
        if (auto* hook = std::get_if<const ExitHook*>(&routed)) {
            records_.exit(since_start(), e, (*hook)->note(e));
            if (!(*hook)->handle(e)) {  // killed from gdb
                actions::Stop s{StopReason::Interrupted, exit_status(StopReason::Interrupted, SIGINT)};
                report_stop(s, e, "killed from gdb");
                write_end(s, "killed from gdb");
                return log_.close() ? s.status : status::kIoError;
            }
            continue;
        }
        const Decision& d = std::get<Decision>(routed);
        if (records_.enabled()) records_.exit(since_start(), e, note_text(e, d));
        if (d.unhandled_access) report_unhandled(e, d);
        else if (!d.note.empty() && !std::holds_alternative<actions::Stop>(d.action)) spdlog::debug("{}", d.note);
        if (auto status = act(e, d)) return *status;
        if (tracer_)
            if (auto dbg = tracer_->after_exit(e.cpu, lstar_now_)) m_.vcpu->set_guest_debug(*dbg);
        if (log_.failed()) {
            // Do not run blind: a log that cannot be written stops the guest.
            actions::Stop s{StopReason::LogError, exit_status(StopReason::LogError)};
            spdlog::error("{}; stopping the guest", log_.error());
            write_end(s, log_.error());
            return s.status;
        }
    }
}

std::optional<int> RunLoop::act(const VmExit& e, const Decision& d) {
    if (auto* c = std::get_if<actions::ConsoleOut>(&d.action)) {
        out_stdout(c->bytes.data(), c->bytes.size());
    } else if (auto* msr = std::get_if<actions::MsrAccess>(&d.action)) {
        handle_msr(*msr, e.cpu);
    } else if (auto* ev = std::get_if<actions::ReadEvent>(&d.action)) {
        handle_event(ev->gpa, e.cpu);
    } else if (auto* r = std::get_if<actions::CompleteRead>(&d.action)) {
        if (r->bytes.empty()) m_.vcpu->complete_io_read(e, r->value);
        else m_.vcpu->complete_io_read_bytes(e, r->bytes);
    } else if (auto* s = std::get_if<actions::Stop>(&d.action)) {
        timings::mark("guest_run");
        timings::note_guest_ram(m_.mem.host_base(), m_.mem.size());
        report_stop(*s, e, d.note);
        return end(*s, &e, d.note);
    }
    return std::nullopt;
}

// Unknown ports and MMIO: never fatal, always in the exit log, on stderr a few times per port/page.
void RunLoop::report_unhandled(const VmExit& e, const Decision& d) {
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

// The end of the run: the end record and the summary, gdb told, the log closed.
int RunLoop::end(const actions::Stop& stop, const VmExit*, const std::string& note) {
    write_end(stop, note);
    if (gdb_) gdb_->on_exit(stop.status);
    if (!log_.close()) {
        spdlog::error("{}", log_.error());
        return status::kIoError;
    }
    return stop.status;
}

void RunLoop::report_stop(const actions::Stop& stop, const VmExit& e, const std::string& note) {
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
    // kvm_amd's SHUTDOWN returns the reset state: then the last registers lstar saw, labelled.
    end_regs_ = end_registers(e, records_.seq(), seen_, m_.host.module, m_.image.symbols);
    const CpuState& cpu = end_regs_->cpu;
    std::string detail = end_regs_->heading + "  at " + instruction_at(m_.mem, cpu, m_.image.symbols) + "\n" +
                         register_dump(cpu, m_.image.symbols);
    if (auto* ie = std::get_if<exits::InternalError>(&e.kind))
        if (auto d = emulation_failure_detail(*ie); !d.empty()) detail = "  " + d + "\n" + detail;
    if (stop.reason == StopReason::EmulationFailure && m_.boot.protocol == Protocol::Linux && !m_.host.hardware) {
        // Not a bug of the guest: Linux's ring 0 needs instructions a software KVM's emulator lacks.
        std::string insn = insn_text(cpu.sregs.cr0, cpu.sregs.cr3, cpu.regs.rip);
        what += "; this KVM (" + m_.host.module + ") cannot run Linux's ring 0: it emulates ring 0 one instruction at "
                "a time, and its emulator has no '" + (insn.empty() ? std::string("(unreadable)") : insn) +
                "'. Linux boots under lstar on hardware KVM (VT-x, AMD-V) and in the nested AMD-V tier (scripts/hwkvm)";
    }
    spdlog::error("{}", what);
    out_stderr(detail);
    records_.fault(stop.reason, note, *end_regs_, insn_text(cpu.sregs.cr0, cpu.sregs.cr3, cpu.regs.rip));
}

void RunLoop::write_end(const actions::Stop& stop, const std::string& note) {
    uint64_t total = since_start();
    board_.flush();
    if (tracer_) tracer_->finish();
    if (trace_file_.is_open() && !trace_file_.close()) spdlog::error("{}", trace_file_.error());
    if (timeline_) {
        try {
            timeline_->write(total);
            spdlog::debug("timeline: {} events in {}", timeline_->events(), opts_.trace_out);
        } catch (const IoError& e) {
            spdlog::error("{}", e.what());
        }
    }
    if (records_.enabled()) {
        JsonObject r = records_.end_head(stop.reason, stop.status, note);
        add_end_counts(r, counts_, total, seccomp_allowed_);
        r.str("breakpoints", tracer_ || gdb_ ? trace::bp_kind_name(bps_.kind) : "")
            .num("traced_syscalls", tracer_ ? tracer_->traced_syscalls() : 0);
        if (end_regs_) add_end_registers(r, *end_regs_);  // which registers the fault report showed
        records_.end(r.done());
    }
    if (opts_.show_user_mappings && m_.boot.foreign && !user_mappings_shown_)
        out_stderr("lstar: --show-user-mappings: no syscall reached the breakpoint at LSTAR, so no user-mode CR3 was seen" +
                   std::string(bps_.kind == trace::BpKind::None ? " (" + bps_.why + ")" : "") + "\n");
    if (!opts_.summary) return;
    SummaryFacts f{stop_reason_name(stop.reason), stop.status, total, m_.boot.foreign, opts_.guest_events,
                   m_.host.module, nullptr, log_.dropped_records(), log_.dropped_bytes(), log_.limit(),
                   seccomp_allowed_};
    if (tracer_)
        f.traced = [this](uint64_t debug_exits, uint64_t syscalls) {
            return tracer_->summary(debug_exits, syscalls ? std::optional<uint64_t>(syscalls) : std::nullopt);
        };
    out_stderr(summary_text(counts_, f));
}

}  // namespace lstar
