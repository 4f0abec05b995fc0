// Linux x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl) that lstar's kernel
// implements or names, and the errno values it returns (negated, as the kernel ABI does).
#pragma once

namespace lstar::nr {
inline constexpr long kRead = 0, kWrite = 1, kOpen = 2, kClose = 3, kStat = 4, kFstat = 5, kLstat = 6, kLseek = 8,
                      kMmap = 9, kMprotect = 10, kMunmap = 11, kBrk = 12, kIoctl = 16, kPread64 = 17, kReadv = 19,
                      kWritev = 20, kGetpid = 39, kExecve = 59, kExit = 60, kUname = 63, kReadlink = 89,
                      kGetrlimit = 97, kGetuid = 102, kGetgid = 104, kSetuid = 105, kGeteuid = 107, kGetegid = 108,
                      kGetppid = 110, kArchPrctl = 158, kSetrlimit = 160, kGettid = 186, kSchedGetaffinity = 204,
                      kGetdents64 = 217, kSetTidAddress = 218, kExitGroup = 231, kOpenat = 257, kNewfstatat = 262,
                      kReadlinkat = 267, kSetRobustList = 273, kPrlimit64 = 302, kGetrandom = 318, kRseq = 334;
// The descriptor, directory and signal calls (fcntl.cpp, namei.cpp, signal.cpp).
inline constexpr long kRtSigaction = 13, kRtSigprocmask = 14, kDup = 32, kDup2 = 33, kFcntl = 72, kGetcwd = 79,
                      kChdir = 80, kFchdir = 81, kDup3 = 292, kPoll = 7;
// The clock calls (time.cpp, the vDSO's fallbacks).
inline constexpr long kGettimeofday = 96, kTime = 201, kClockGettime = 228, kClockGetres = 229, kGetcpu = 309;
// Calls lstar's kernel does not have, which change the calling task's address space or make a new
// task (the tracer matches a foreign kernel's returns to entries by them, vmm/trace/inflight.cpp).
inline constexpr long kRtSigreturn = 15, kClone = 56, kFork = 57, kVfork = 58, kExecveat = 322, kClone3 = 435;
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
inline constexpr long kEPERM = 1, kENOENT = 2, kESRCH = 3, kEINTR = 4, kE2BIG = 7, kENOEXEC = 8, kEBADF = 9, kENOMEM = 12,
                      kEACCES = 13, kEFAULT = 14, kEEXIST = 17, kENOTDIR = 20, kEISDIR = 21, kEINVAL = 22,
                      kENFILE = 23, kEMFILE = 24, kENOTTY = 25, kESPIPE = 29, kEROFS = 30, kERANGE = 34, kENAMETOOLONG = 36,
                      kENOSYS = 38, kELOOP = 40;
}  // namespace lstar::err

namespace lstar::sig {
inline constexpr unsigned kSIGILL = 4, kSIGTRAP = 5, kSIGBUS = 7, kSIGFPE = 8, kSIGSEGV = 11;
}  // namespace lstar::sig
