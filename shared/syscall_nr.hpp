// Linux x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl) that lstar's kernel
// implements or names, and the errno values it returns (negated, as the kernel ABI does).
#pragma once

namespace lstar::nr {
inline constexpr long kRead = 0;
inline constexpr long kWrite = 1;
inline constexpr long kGetpid = 39;
inline constexpr long kExit = 60;
inline constexpr long kGettimeofday = 96;
inline constexpr long kTime = 201;
inline constexpr long kClockGettime = 228;
inline constexpr long kClockGetres = 229;
inline constexpr long kGetcpu = 309;
inline constexpr long kExitGroup = 231;
inline constexpr long kMax = 335;  // sys_call_table has kMax + 1 slots, as __NR_syscall_max + 1
}  // namespace lstar::nr

// The i386 numbers that `int $0x80` uses (arch/x86/entry/syscalls/syscall_32.tbl).
namespace lstar::nr32 {
inline constexpr long kExit = 1;
inline constexpr long kWrite = 4;
inline constexpr long kGetpid = 20;
inline constexpr long kExitGroup = 252;
inline constexpr long kMax = 450;
}  // namespace lstar::nr32

namespace lstar::err {
inline constexpr long kEPERM = 1, kENOENT = 2, kE2BIG = 7, kENOEXEC = 8, kEBADF = 9, kENOMEM = 12, kEFAULT = 14,
                      kEINVAL = 22, kENOSYS = 38;
}  // namespace lstar::err

namespace lstar::sig {
inline constexpr unsigned kSIGILL = 4, kSIGTRAP = 5, kSIGBUS = 7, kSIGFPE = 8, kSIGSEGV = 11;
}  // namespace lstar::sig
