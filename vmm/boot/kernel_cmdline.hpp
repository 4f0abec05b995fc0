// The kernel command line, built in one place: the user's part from the options (--append, or
// --init and the program's arguments; --vsyscall; --rlimit), then the monitor's own keys
// (lstar.entry=, lstar.bootinfo=) before any " -- ", whose tail is the program's argv.
// The keys are the guest's (guest/kernel/cmdline.hpp); the names come from shared/option_names.hpp.
#pragma once
#include <optional>
#include <string>
#include <vector>
#include <cstdint>

#include "option_names.hpp"

namespace lstar {

struct CmdlineRequest {
    std::string append;                     // --append: the whole line, verbatim
    std::string init;                       // --init NAME
    std::vector<std::string> program_args;  // after "--"
    bool initrd = false;                    // with an initrd, `-- /path ARGS` names the program
    std::optional<vdso::VsyscallMode> vsyscall;  // --vsyscall
    std::vector<std::string> rlimits;       // --rlimit RESOURCE=SOFT[:HARD], as given
};

// The first program's argv and envp, passed intact in the boot protocol's argument block
// (shared/boot_protocol.hpp ArgsHeader) rather than split at spaces on the command line.
struct ProgramArgs {
    std::vector<std::string> argv;  // argv[0]: the program (init=)
    std::vector<std::string> envp;  // HOME=/, TERM=linux, then --env NAME=VALUE
};

// What --init/-- ARGS/--env ask for; nullopt with --append (the line says it all). Throws
// UsageError for an --env without NAME=.
std::optional<ProgramArgs> program_args(const CmdlineRequest& request, const std::vector<std::string>& env);

// The argument block's bytes (header and strings); UsageError when it exceeds boot::kArgsMax or a
// string holds a NUL byte.
std::vector<uint8_t> encode_args_block(const ProgramArgs& args);

// The user's line without its " -- ARGS" tail: the argument block carries them.
std::string cmdline_without_args(const std::string& line);

// The line the user asked for: "init=hello", "vsyscall=none init=/bin/sh -- -c ls", ...
// Throws UsageError for --append with --init or program arguments, and for a bad --rlimit.
std::string user_cmdline(const CmdlineRequest& request);

// The line the kernel gets: the user's, with the monitor's keys inserted before any " -- ".
// lstar_bootinfo: the PVH boot of lstar's kernel, which finds BootInfo through lstar.bootinfo=.
// Throws UsageError when it does not fit the boot protocol's kCmdlineMax.
std::string kernel_cmdline(const std::string& user_line, abi::EntryMode entry, bool lstar_bootinfo);

}  // namespace lstar
