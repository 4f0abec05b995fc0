// lstar: the command line. `lstar run [IMAGE] [options] [-- ARGS...]`.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "boot/kernel_cmdline.hpp"
#include "common/error.hpp"
#include "common/exit_status.hpp"
#include "common/named.hpp"
#include "run/session.hpp"
#include "run/timings.hpp"
#include "trace/tracer.hpp"

namespace {

void setup_logging(int verbosity, bool quiet) {
    // lstar's own messages go to stderr; stdout carries only what the guest prints.
    auto logger = spdlog::stderr_color_mt("lstar");
    logger->set_pattern("%^lstar: %v%$");
    spdlog::set_default_logger(logger);
    spdlog::set_level(quiet ? spdlog::level::err
                      : verbosity >= 2 ? spdlog::level::trace
                      : verbosity == 1 ? spdlog::level::debug
                                       : spdlog::level::info);
}

// --trace syscalls,path=getpid,exceptions=PF,GP: a vector name after exceptions= continues its list.
void parse_traces(const std::vector<std::string>& args, lstar::RunOptions& opts) {
    auto& t = opts.trace;
    bool in_vectors = false;
    std::string vectors;
    for (const auto& arg : args) {
        size_t start = 0;
        while (start <= arg.size()) {
            size_t comma = arg.find(',', start);
            std::string tok = arg.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            start = comma == std::string::npos ? arg.size() + 1 : comma + 1;
            std::string key = tok.substr(0, tok.find('='));
            std::string val = tok.find('=') == std::string::npos ? "" : tok.substr(tok.find('=') + 1);
            if (key == "syscalls") t.syscalls = true, in_vectors = false;
            else if (key == "path") t.path = true, t.path_filter = val, in_vectors = false;
            else if (key == "msr") opts.show_msrs = true, in_vectors = false;
            else if (key == "steps") {
                auto dots = val.find("..");
                if (dots == std::string::npos) throw std::invalid_argument("steps wants FROM..TO, e.g. steps=1..40");
                t.path = true;
                t.steps_from = std::stoull(val.substr(0, dots));
                t.steps_to = val.size() > dots + 2 ? std::stoull(val.substr(dots + 2)) : ~0ull;
                in_vectors = false;
            } else if (key == "exceptions") {
                t.exceptions = true, in_vectors = true;
                vectors = val;
            } else if (in_vectors && !tok.empty()) {
                vectors += "," + tok;
            } else if (!tok.empty()) {
                throw std::invalid_argument("unknown item '" + tok + "' (syscalls, path[=NAME], steps=A..B, exceptions[=PF,GP,...], msr)");
            }
        }
    }
    if (t.exceptions) t.vectors = lstar::trace::parse_vectors(vectors.empty() ? "UD,PF,GP" : vectors);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"lstar: a small KVM monitor that shows how a syscall enters the kernel and comes back"};
    app.set_version_flag("--version", std::string("lstar ") + LSTAR_VERSION);
    app.require_subcommand(1);
    int verbosity = 0;
    bool quiet = false;
    app.add_flag("-v,--verbose", verbosity, "more output: the boot set-up table, every syscall narrated (-vv: every exit)");
    app.add_flag("-q,--quiet", quiet, "only errors on stderr (no narration, no summary)");

    lstar::RunOptions opts;
    std::string image, init;
    std::vector<std::string> guest_args;
    bool no_guest_events = false;
    std::string append;
    auto* run = app.add_subcommand("run", "boot a guest kernel (the built-in one when IMAGE is omitted) and run it");
    run->add_option("image", image,
                    "the kernel: an ELF64 speaking lstar's boot protocol, a PVH ELF or a multiboot v1 image "
                    "(default: built-in)");
    std::string boot = "auto";
    run->add_option("--boot", boot,
                    "the boot protocol: auto (lstar's note, else multiboot, else PVH, as QEMU -kernel tries them), "
                    "lstar, pvh (the PVH entry as any PVH loader: hvm_start_info only), multiboot")
        ->check(CLI::IsMember({"auto", "lstar", "pvh", "multiboot"}))
        ->capture_default_str();
    run->add_option("--module", opts.modules, "a module (initrd) for a PVH or multiboot kernel (repeatable)")
        ->check(CLI::ExistingFile);
    unsigned smp = 1;
    run->add_option("--smp", smp, "CPUs fw_cfg reports; lstar runs one vCPU, so only 1 is accepted")
        ->capture_default_str();
    run->add_option("-m,--memory", opts.ram_mib, "guest RAM in MiB")->default_val(128)->check(CLI::Range(16, 1 << 16));
    run->add_option("--timeout", opts.timeout_s, "stop a guest still running after SECONDS, with a report")
        ->check(CLI::PositiveNumber);
    run->add_option("--exit-log", opts.exit_log, "write every VM exit and guest event to FILE as JSON Lines");
    run->add_option("--exit-log-limit", opts.exit_log_limit_mib,
                    "bound the exit log to about MIB MiB: past it the log keeps the first and the last records and "
                    "counts the ones it drops (docs/exit-log.md)")
        ->default_val(256)->check(CLI::Range(1, 1 << 20));
    run->add_flag("--no-guest-events", no_guest_events, "tell the guest kernel not to report syscalls and exceptions");
    std::string entry = "direct", msr_setup = "monitor";
    run->add_option("--entry", entry,
                    "how syscalls enter the kernel: direct (LSTAR = entry_SYSCALL_64), pti (Linux 4.15's "
                    "trampoline with a CR3 switch), pti-pcid (pti with PCIDs)")
        ->check(CLI::IsMember(lstar::names_of(lstar::abi::kEntryModes)))
        ->capture_default_str();
    run->add_option("--msr-setup", msr_setup,
                    "who writes EFER.SCE/STAR/LSTAR/FMASK/KERNEL_GS_BASE: monitor (before boot), or guest (the "
                    "kernel, booted through PVH; every access trapped and shown)")
        ->check(CLI::IsMember(lstar::names_of(lstar::abi::kMsrSetups)))
        ->capture_default_str();
    std::string vsyscall;
    run->add_option("--vsyscall", vsyscall,
                    "the legacy vsyscall page at 0xffffffffff600000, as Linux's vsyscall= (put on the kernel "
                    "command line): emulate (readable, calls emulated), xonly (the kernel's default: calls "
                    "emulated, reads fault), none (calls fault)")
        ->check(CLI::IsMember(lstar::names_of(lstar::abi::kVsyscallModes)));
    run->add_option("--kvm-device", opts.kvm_path, "the KVM device")->capture_default_str();
    bool no_seccomp = false;
    run->add_flag("--no-seccomp", no_seccomp,
                  "do not install the seccomp filter that limits the run loop to the system calls it needs "
                  "(docs/seccomp.md); for debugging lstar itself");
    std::vector<std::string> traces;
    run->add_option("--trace", traces,
                    "watch the guest from outside, without its help (comma-separated, repeatable): syscalls "
                    "(strace-like lines), path[=NAME] (single-step the entry path of every syscall, or of the ones "
                    "named NAME), steps=FROM..TO (print only those steps), exceptions[=PF,GP,UD] (breakpoints on "
                    "the IDT's handlers), msr (every trapped MSR access)");
    bool att = false;
    run->add_flag("--att", att, "AT&T syntax in instruction traces (default: Intel)");
    run->add_option("--gdb", opts.gdb,
                    "start stopped and serve a GDB remote stub on HOST:PORT (or :PORT, loopback): "
                    "gdb build/guest/kernel.elf -ex 'target remote :PORT'");
    run->add_option("--trace-out", opts.trace_out, "a timeline in the Chrome trace event format (ui.perfetto.dev)");
    run->add_flag("--show-user-mappings", opts.show_user_mappings,
                  "at the first syscall, print which kernel-half ranges a user-mode CR3 maps");
    bool timings = false;
    run->add_flag("--timings", timings,
                  "print where the run's time went (VM creation, memory, loading, first exit, guest run, "
                  "teardown) and the monitor's memory beside the guest RAM it touched");
    run->add_option("--init", init, "the built-in user program the kernel starts (init=NAME)");
    run->add_option("--initrd", opts.initrd,
                    "an initial RAM filesystem: a directory (packed as cpio newc) or a cpio newc archive; "
                    "then `-- /path/in/initrd ARGS...` names the program to run");
    std::vector<std::string> rlimits;
    run->add_option("--rlimit", rlimits,
                    "a resource limit of the first program, as prlimit(1): RESOURCE=SOFT[:HARD] (NOFILE=8, "
                    "AS=64M, STACK=unlimited; repeatable)");
    run->add_option("--append", append, "the kernel command line, verbatim (default: init=hello)");
    run->footer("Arguments after -- go to the user program: lstar run -- 7  (the built-in hello exits with 7)");

    // Everything after the first "--" belongs to the guest program, never to lstar's positionals.
    int ours = argc;
    for (int i = 1; i < argc; ++i)
        if (std::string_view(argv[i]) == "--") {
            ours = i;
            guest_args.assign(argv + i + 1, argv + argc);
            break;
        }
    try {
        app.parse(ours, argv);
    } catch (const CLI::ParseError& e) {
        int r = app.exit(e);
        return r == 0 ? 0 : lstar::status::kUsage;
    }
    setup_logging(verbosity, quiet);
    if (timings) lstar::timings::enable();  // stages are counted from here (after parsing the command line)

    if (!image.empty()) opts.image = image;
    opts.boot = boot == "lstar"       ? lstar::BootRequest::Lstar
                : boot == "pvh"       ? lstar::BootRequest::Pvh
                : boot == "multiboot" ? lstar::BootRequest::Multiboot
                                      : lstar::BootRequest::Auto;
    if (smp != 1) {
        spdlog::error("--smp {}: lstar runs one vCPU, so it accepts only --smp 1 (what fw_cfg reports); a guest "
                      "told of more CPUs would wait for ones that never start", smp);
        return lstar::status::kUsage;
    }
    opts.smp = uint16_t(smp);
    opts.cmdline_given = !append.empty() || !init.empty() || !guest_args.empty();
    opts.entry_mode = *lstar::value_of(lstar::abi::kEntryModes, entry);  // CLI11 has checked the names
    opts.msr_setup = *lstar::value_of(lstar::abi::kMsrSetups, msr_setup);
    opts.guest_events = !no_guest_events;
    opts.seccomp = !no_seccomp;
    try {
        opts.cmdline = lstar::user_cmdline({append, init, guest_args, !opts.initrd.empty(),
                                            lstar::value_of(lstar::abi::kVsyscallModes, vsyscall), rlimits});
    } catch (const lstar::UsageError& e) {
        spdlog::error("{}", e.what());
        return lstar::status::kUsage;
    }
    try {
        parse_traces(traces, opts);
    } catch (const std::invalid_argument& e) {
        spdlog::error("--trace: {}", e.what());
        return lstar::status::kUsage;
    }
    if (att) opts.trace.syntax = lstar::x86::Syntax::Att;
    if (!opts.gdb.empty() && opts.trace.any()) {
        spdlog::error("--gdb and --trace both need the debug registers: use one at a time");
        return lstar::status::kUsage;
    }
    opts.show_setup = verbosity >= 1;
    opts.show_msrs = opts.show_msrs || (!quiet && (verbosity >= 1 || opts.msr_setup == lstar::MsrSetup::Guest));
    opts.narration = quiet ? lstar::Narration::None
                     : verbosity >= 1 ? lstar::Narration::AllSyscalls
                                      : lstar::Narration::FirstSyscall;
    opts.summary = !quiet;
    // A closed pipe (`lstar run --exit-log /dev/stdout | head`) must be an error lstar reports
    // (EPIPE: status 74, the guest stopped), not a SIGPIPE that kills it with half a log.
    std::signal(SIGPIPE, SIG_IGN);
    return lstar::run_vm(opts);
}
