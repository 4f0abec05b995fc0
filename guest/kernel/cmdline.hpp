// The kernel command line (BootInfo.cmdline), as far as this kernel reads it:
//
//   init=NAME             the user program to run (default: hello)
//   lstar.entry=MODE      direct (default), pti or pti-pcid: how user mode enters the kernel
//   vsyscall=MODE         emulate, xonly (default) or none, as Linux (vsyscall_64.cpp)
//   lstar.bootinfo=ADDR   (PVH only, read by pvh.cpp) lstar's BootInfo: the monitor is there
//   lstar.crash=triple    test hook: empty IDT + ud2 in ring 0 -> triple fault
//   lstar.crash=kspin     test hook: an endless loop in ring 0
//   lstar.crash=kpanic    test hook: ud2 in ring 0 -> the kernel panic path
//   lstar.rlimit.NAME=SOFT:HARD   a resource limit of the first program (resource.cpp)
//   -- ARG...             everything after a "--" token is argv[1..] of the program, unless
//                         BootInfo.args_phys gives argv and envp intact (args_from_block)
//
// Tokens are separated by spaces. As Linux does for init, other NAME=VALUE tokens without a dot in
// NAME become the program's environment, after HOME=/ and TERM=linux; the rest are ignored.
#pragma once
#include "boot_protocol.hpp"

namespace lstar::kernel {

struct ExecArgs;

inline constexpr unsigned kMaxArgs = 32;  // argv[0] included
inline constexpr unsigned kMaxEnv = 32;

struct Cmdline {
    const char* init;                 // program name (argv[0])
    const char* crash;                // lstar.crash= value, or nullptr
    const char* entry;                // lstar.entry= value (default "direct")
    const char* vsyscall;             // vsyscall= value, or nullptr (the default: xonly)
    unsigned argc;
    const char* argv[kMaxArgs + 1];   // NULL-terminated
    unsigned envc;
    const char* envp[kMaxEnv];
};

// Parse src (NUL-terminated within kCmdlineMax) into out. The strings point into a static copy.
void parse_cmdline(const char* src, Cmdline& out);

// The monitor's argument block (BootInfo.args_phys): argv and envp byte for byte into out, and
// path = argv[0]. False (with a log line if the block is bad) when there is none to use.
bool args_from_block(const boot::BootInfo& bi, ExecArgs& out, const char*& path);

}  // namespace lstar::kernel
