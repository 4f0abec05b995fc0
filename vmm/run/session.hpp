// One run of one guest: build the VM, boot it, run the loop until the guest or a signal ends
// it, and leave a complete exit log and a summary behind.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "boot/boot_state.hpp"
#include "event_abi.hpp"
#include "trace/tracer.hpp"

namespace lstar {

enum class Narration { None, FirstSyscall, AllSyscalls };

struct RunOptions {
    std::optional<std::string> image;  // nullopt: the built-in kernel
    uint64_t ram_mib = 128;
    double timeout_s = 0;  // 0: none
    std::string exit_log;  // "": no exit log
    uint64_t exit_log_limit_mib = 256;  // the exit log's size bound (run/exit_log.hpp)
    bool guest_events = true;
    std::string cmdline = "init=hello";
    std::optional<ProgramArgs> program;  // argv/envp for lstar's kernel (nullopt with --append)
    std::string initrd;  // --initrd DIR|FILE.cpio: "" for none
    std::string symbols;  // --symbols System.map|kallsyms: "" for none
    bool show_setup = false;  // the boot set-up table on stderr
    bool show_msrs = false;   // every trapped guest MSR access on stderr
    bool show_user_mappings = false;  // what a user-mode CR3 maps of the kernel half, at the first syscall
    abi::EntryMode entry_mode = abi::EntryMode::Direct;
    MsrSetup msr_setup = MsrSetup::Monitor;
    trace::TraceOptions trace;  // --trace syscalls,path,steps=,exceptions=
    std::string trace_out;      // --trace-out FILE.json (Chrome trace event format)
    std::string trace_file;     // --trace-file / -o FILE: the tracer's lines there instead of stderr
    std::string gdb;            // --gdb HOST:PORT: start stopped and serve a GDB remote stub
    std::string symbol_file;    // the built-in kernel's ELF on disk, for gdb ("" when there is none)
    Narration narration = Narration::FirstSyscall;
    bool summary = true;
    std::string kvm_path = "/dev/kvm";
    // Foreign kernels (docs/foreign-kernels.md).
    BootRequest boot = BootRequest::Auto;  // --boot auto|lstar|pvh|multiboot
    std::vector<std::string> modules;      // --module FILE (repeatable): PVH and multiboot only
    bool cmdline_given = false;            // --append/--init/program arguments were given
    uint16_t smp = 1;                      // --smp: what fw_cfg reports (lstar runs one vCPU)
    bool seccomp = true;  // --no-seccomp turns the run loop's system-call filter off
};

// Returns lstar's exit status (common/exit_status.hpp). Errors are reported on stderr.
int run_vm(const RunOptions& opts);

}  // namespace lstar
