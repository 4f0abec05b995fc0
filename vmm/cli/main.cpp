// lstar: the command line. `lstar run [IMAGE] [options] [-- ARGS...]`.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "boot/kernel_cmdline.hpp"
#include "boot/kernel_image.hpp"
#include "cli/args.hpp"
#include "cli/init_arg.hpp"
#include "cli/tour_command.hpp"
#include "cli/trace_arg.hpp"
#include "common/error.hpp"
#include "common/exit_status.hpp"
#include "common/named.hpp"
#include "kvm/system.hpp"
#include "run/session.hpp"
#include "run/timings.hpp"
#include "version.h"

namespace {

constexpr const char* kExamples =
    "Examples:\n"
    "  lstar run                                     the built-in kernel runs hello; the first syscall narrated\n"
    "  lstar -v run --init door_syscall              every syscall, and the boot set-up table\n"
    "  lstar run --trace syscalls -- 7               strace-like lines, seen from outside the guest\n"
    "  lstar run --init getpid --trace path=getpid   getpid's way into the kernel and back, step by step\n"
    "  lstar run -m 1G --initrd DIR -- /bin/prog     a static program from a directory packed as an initrd\n"
    "  lstar run --exit-log run.jsonl --timeout 10s  every VM exit as JSON Lines; stop after 10 s\n"
    "  lstar run --gdb :1234                         start stopped, then: gdb KERNEL.elf -ex 'target remote :1234'\n"
    "  lstar tour                                    the study notes' questions answered by live runs (docs/tour.md)\n"
    "  lstar kernel-elf kernel.elf                   the built-in kernel with its symbols, for gdb and objdump\n"
    "  lstar run vmlinux --module initrd.cpio        a PVH or multiboot kernel, as QEMU -kernel boots it\n"
    "  lstar run /boot/vmlinuz-6.1.0-57-amd64 -m 128 --initrd DIR --append \"console=ttyS0 acpi=off\"\n"
    "                                                Debian's own Linux kernel (docs/linux.md)\n";

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

// Where gdb finds the built-in kernel's symbols: the installed copy (share/lstar/kernel.elf beside
// the binary's bin/, or the configured prefix), else the build tree's; "" when neither exists.
std::string kernel_symbol_file() {
    char exe[4096];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    std::vector<std::string> candidates;
    if (n > 0) {
        std::string dir(exe, size_t(n));
        dir = dir.substr(0, dir.rfind('/'));
        candidates.push_back(dir.substr(0, dir.rfind('/')) + "/share/lstar/kernel.elf");
    }
    candidates.push_back(LSTAR_DATADIR "/kernel.elf");
    candidates.push_back(LSTAR_BUILD_KERNEL);
    for (const auto& c : candidates)
        if (::access(c.c_str(), R_OK) == 0) return c;
    return "";
}

// `lstar kernel-elf FILE`: the built-in kernel, symbols included, for gdb and objdump.
int write_kernel_elf(const std::string& path) {
    auto k = lstar::KernelImage::builtin();
    std::FILE* f = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(k.file.data(), 1, k.file.size(), f) != k.file.size() || (f != stdout && std::fclose(f) != 0)) {
        spdlog::error("kernel-elf {}: {}", path, std::strerror(errno));
        return lstar::status::kIoError;
    }
    if (f == stdout) std::fflush(stdout);
    return 0;
}

std::string version_text() {
    const auto host = lstar::kvm::detect_host_kind();
    return std::string("lstar ") + LSTAR_GIT_VERSION + "\nKVM on this host: " +
           (host.module == "unknown" ? "no KVM module loaded (kvm_intel, kvm_amd or kvm_pvm)" : host.description);
}

// CLI11's own errors, worded as lstar's: one line, prefixed, with where to look.
std::string failure_message(const CLI::App* app, const CLI::Error& e) {
    std::string what = e.what();
    if (what.find("subcommand") != std::string::npos) {
        const auto rest = app->remaining();  // `lstar launch`: name the word that is no command
        what = (rest.empty() ? std::string("a command is required") : "'" + rest.front() + "' is not a command") +
               ": run, tour or kernel-elf";
    }
    std::string sub;
    for (const auto* s : app->get_subcommands()) sub = s->get_name() + " ";
    return "lstar: " + what + " (see `lstar " + sub + "--help`)\n";
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"lstar: a small KVM monitor that shows how a syscall enters the kernel and comes back"};
    app.set_version_flag("--version", std::function<std::string()>(version_text),
                         "print the version (git describe) and the KVM this host has, and exit");
    app.require_subcommand(1);
    app.failure_message(failure_message);
    app.footer(kExamples);
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
    run->fallthrough();  // -v and -q after `run` too
    run->add_option("image", image,
                    "the kernel: an ELF64 speaking lstar's boot protocol, a PVH ELF, a multiboot v1 image or a Linux "
                    "bzImage "
                    "(default: built-in)")
        ->type_name("IMAGE");
    std::string boot = "auto";
    run->add_option("--boot", boot,
                    "the boot protocol: auto (lstar's note, else multiboot, else PVH, as QEMU -kernel tries them), "
                    "lstar, pvh (the PVH entry as any PVH loader: hvm_start_info only), multiboot, "
                    "linux (a bzImage: the x86 boot protocol's 64-bit entry, boot_params)")
        ->check(CLI::IsMember({"auto", "lstar", "pvh", "multiboot", "linux"}))
        ->capture_default_str();
    run->add_option("--module", opts.modules, "a module (initrd) for a PVH or multiboot kernel (repeatable)")
        ->check(CLI::ExistingFile);
    // Numbers and sizes are taken as text and converted by cli/args.hpp: its errors name the
    // option and what it accepts, and no value can throw past main().
    std::string smp = "1", memory = "128M", timeout, exit_log_limit = "256M";
    run->add_option("--smp", smp, "CPUs fw_cfg reports; lstar runs one vCPU, so only 1 is accepted")
        ->type_name("N")->capture_default_str();
    run->add_option("-m,--memory", memory, "guest RAM: MiB, or with a unit as QEMU's -m (512M, 1G); 16M to 64G")
        ->type_name("SIZE")->capture_default_str();
    run->add_option("--timeout", timeout,
                    "stop a guest still running after SECONDS (10, 1.5, or with a unit: 500ms, 2s, 3m, 1h), with a "
                    "report")
        ->type_name("SECONDS");
    run->add_option("--exit-log", opts.exit_log, "write every VM exit and guest event to FILE as JSON Lines")
        ->type_name("FILE");
    run->add_option("--exit-log-limit", exit_log_limit,
                    "bound the exit log to about SIZE (MiB, or 64M, 1G; 1M to 1T): past it the log keeps the first "
                    "and the last records and counts the ones it drops (docs/exit-log.md)")
        ->type_name("SIZE")->capture_default_str();
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
    run->add_option("--kvm-device", opts.kvm_path, "the KVM device")->type_name("PATH")->capture_default_str();
    bool no_seccomp = false;
    run->add_flag("--no-seccomp", no_seccomp,
                  "do not install the seccomp filter that limits the run loop to the system calls it needs "
                  "(docs/seccomp.md); for debugging lstar itself");
    std::vector<std::string> traces;
    run->add_option("--trace", traces,
                    "watch the guest from outside, without its help (comma-separated, repeatable): syscalls "
                    "(strace-like lines), path[=NAME] (single-step the entry path of every syscall, or of the ones "
                    "named NAME), steps=FROM..TO (print only those steps), exceptions[=PF,GP,UD] (breakpoints on "
                    "the IDT's handlers), msr (every trapped MSR access)")
        ->type_name("ITEM[,ITEM...]");
    // strace's own options for the syscall lines; each of them implies --trace syscalls.
    std::vector<std::string> filters;
    run->add_option("-e", filters,
                    "as strace -e: trace only these syscalls: [trace=]NAME,... or a class of strace's (%file, "
                    "%process, %network, %signal, %ipc, %desc, %memory, %creds, %stat, %lstat, %fstat, %%stat, "
                    "%statfs, %fstatfs, %%statfs, %clock, %pure), all, none, !SET (repeatable; implies --trace "
                    "syscalls)")
        ->type_name("EXPR");
    run->add_option("-o,--trace-file", opts.trace_file,
                    "as strace -o: the trace's lines (and the -c table) to FILE instead of stderr; created only "
                    "once the run can start (implies --trace syscalls when no --trace is given)")
        ->type_name("FILE");
    bool syscall_times = false, count_only = false, count_also = false;
    int timestamps = 0;
    run->add_flag("-T,--syscall-times", syscall_times,
                  "as strace -T: each call's time in the kernel, from its LSTAR breakpoint to its return (host "
                  "time between the two debug exits; docs/tracing.md)");
    run->add_flag("-t,--absolute-timestamps", timestamps,
                  "as strace -t: the time of day before each line; -tt with microseconds, -ttt seconds since the "
                  "epoch");
    run->add_flag("-c,--summary-only", count_only,
                  "as strace -c: a table of calls, errors and time per syscall at the end, instead of the lines");
    run->add_flag("-C,--summary", count_also, "as strace -C: the lines and the -c table");
    bool att = false;
    run->add_flag("--att", att, "AT&T syntax in instruction traces (default: Intel)");
    run->add_option("--gdb", opts.gdb,
                    "start stopped and serve a GDB remote stub on HOST:PORT (or :PORT, loopback): "
                    "gdb KERNEL.elf -ex 'target remote :PORT' (the built-in kernel's ELF: share/lstar/kernel.elf "
                    "where lstar is installed, or `lstar kernel-elf FILE`)")
        ->type_name("[HOST]:PORT");
    run->add_option("--trace-out", opts.trace_out, "a timeline in the Chrome trace event format (ui.perfetto.dev)")
        ->type_name("FILE");
    run->add_flag("--show-user-mappings", opts.show_user_mappings,
                  "at the first syscall, print which kernel-half ranges a user-mode CR3 maps");
    bool timings = false;
    run->add_flag("--timings", timings,
                  "print where the run's time went (VM creation, memory, loading, first exit, guest run, "
                  "teardown) and the monitor's memory beside the guest RAM it touched");
    run->add_option("--init", init,
                    "the built-in user program the kernel starts (init=NAME): " +
                        lstar::cli::join(lstar::cli::builtin_programs(), " "))
        ->type_name("NAME");
    run->add_option("--symbols", opts.symbols,
                    "the kernel's symbols as text: a System.map or a /proc/kallsyms dump (Linux: the KASLR slide is "
                    "found at the guest's WRMSR of LSTAR, from entry_SYSCALL_64)")
        ->type_name("FILE");
    run->add_option("--initrd", opts.initrd,
                    "an initial RAM filesystem: a directory (packed as cpio newc) or a cpio newc archive; "
                    "then `-- /path/in/initrd ARGS...` names the program to run")
        ->type_name("DIR|FILE");
    std::vector<std::string> rlimits;
    run->add_option("--rlimit", rlimits,
                    "a resource limit of the first program, as prlimit(1): RESOURCE=SOFT[:HARD] (NOFILE=8, "
                    "AS=64M, STACK=unlimited; repeatable)")
        ->type_name("LIMIT");
    std::vector<std::string> env;
    run->add_option("--env", env,
                    "NAME=VALUE in the first program's environment, after HOME=/ and TERM=linux (repeatable; "
                    "passed intact, as the arguments after --)")
        ->type_name("NAME=VALUE");
    run->add_option("--append", append, "the kernel command line, verbatim (default: init=hello)")
        ->type_name("CMDLINE");
    run->footer("Arguments after -- go to the user program: lstar run -- 7  (the built-in hello exits with 7)\n\n" +
                std::string(kExamples));
    std::string kernel_elf_out;
    auto* kernel_elf = app.add_subcommand("kernel-elf", "write the built-in kernel's ELF, with its symbols, to FILE "
                                                        "(- for stdout): for gdb, objdump and nm");
    kernel_elf->add_option("file", kernel_elf_out, "where to write it")->required()->type_name("FILE");
    kernel_elf->footer("");
    lstar::tour::TourOptions tour_opts;
    auto* tour = lstar::cli::add_tour_command(app, tour_opts);

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
    if (kernel_elf->parsed()) return write_kernel_elf(kernel_elf_out);
    if (tour->parsed()) return lstar::cli::tour_main(tour_opts);
    uint64_t cpus = 1;
    try {
        cpus = lstar::cli::parse_u64(smp, "--smp", "a number of CPUs: 1");
        opts.ram_mib = lstar::cli::parse_mib(memory, "-m", 16, 1 << 16);
        opts.exit_log_limit_mib = lstar::cli::parse_mib(exit_log_limit, "--exit-log-limit", 1, 1 << 20);
        if (!timeout.empty()) opts.timeout_s = lstar::cli::parse_seconds(timeout, "--timeout");
        auto traced = lstar::cli::parse_traces(traces);
        opts.trace = std::move(traced.trace);
        opts.show_msrs = traced.msr;
        auto& t = opts.trace;
        if (!filters.empty()) t.only = lstar::cli::parse_syscall_filter(filters);
        t.syscall_times = syscall_times;
        t.timestamps = unsigned(std::min(timestamps, 3));
        t.count = count_also ? lstar::trace::TraceOptions::Count::Also
                  : count_only ? lstar::trace::TraceOptions::Count::Only
                               : lstar::trace::TraceOptions::Count::Off;
        const bool strace_style = !filters.empty() || syscall_times || timestamps || count_only || count_also;
        if (strace_style || (!opts.trace_file.empty() && !t.any() && !traced.msr)) t.syscalls = true;
        t.align = strace_style || !opts.trace_file.empty();
        // The built-in kernel's programs are known now; another kernel's, or an initrd's, at boot.
        if (run->count("--init") && image.empty() && opts.initrd.empty()) lstar::cli::check_builtin_program(init);
    } catch (const lstar::cli::UsageError& e) {
        spdlog::error("{}", e.what());
        return lstar::status::kUsage;
    }
    if (timings) lstar::timings::enable();  // stages are counted from here (after parsing the command line)

    if (!image.empty()) opts.image = image;
    opts.boot = boot == "lstar"       ? lstar::BootRequest::Lstar
                : boot == "pvh"       ? lstar::BootRequest::Pvh
                : boot == "multiboot" ? lstar::BootRequest::Multiboot
                : boot == "linux"     ? lstar::BootRequest::Linux
                                      : lstar::BootRequest::Auto;
    if (cpus != 1) {
        spdlog::error("--smp {}: lstar runs one vCPU, so it accepts only --smp 1 (what fw_cfg reports); a guest "
                      "told of more CPUs would wait for ones that never start", smp);
        return lstar::status::kUsage;
    }
    opts.smp = 1;
    opts.cmdline_given = !append.empty() || !init.empty() || !guest_args.empty();
    opts.entry_mode = *lstar::value_of(lstar::abi::kEntryModes, entry);  // CLI11 has checked the names
    opts.msr_setup = *lstar::value_of(lstar::abi::kMsrSetups, msr_setup);
    opts.guest_events = !no_guest_events;
    opts.seccomp = !no_seccomp;
    try {
        const lstar::CmdlineRequest request{append, init, guest_args, !opts.initrd.empty(),
                                            lstar::value_of(lstar::abi::kVsyscallModes, vsyscall), rlimits};
        opts.cmdline = lstar::user_cmdline(request);
        opts.program = lstar::program_args(request, env);
        if (opts.program) lstar::encode_args_block(*opts.program);  // too long: refused before the VM starts
    } catch (const lstar::UsageError& e) {
        spdlog::error("{}", e.what());
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
    if (!opts.image) opts.symbol_file = kernel_symbol_file();
    return lstar::run_vm(opts);
}
