// The port ABI between the guest kernel and the monitor.
//
//  * kPortConsole (outb): one byte of console output, as Bochs/QEMU "debugcon" on port 0xe9.
//  * kPortEvent (outl): the guest-physical address of an event record. One record, one VM exit.
//    The monitor treats every record as hostile: it checks the magic, the type, the size and that
//    the whole record lies inside guest RAM before it reads a field.
//  * kPortExit (outl): the guest's exit status; the run ends.
#pragma once
#include <cstdint>

namespace lstar::abi {

inline constexpr uint16_t kPortConsole = 0x00e9;
inline constexpr uint16_t kPortEvent = 0x0ec0;
inline constexpr uint16_t kPortExit = 0x0ec4;

inline constexpr uint32_t kEventMagic = 0x5645534c;  // "LSEV"
inline constexpr uint32_t kEventMaxSize = 512;

enum class EventType : uint16_t {
    SyscallEnter = 1,  // entry_SYSCALL_64 has built pt_regs and is about to call the handler
    SyscallExit = 2,   // about to leave with sysretq
    Exception = 3,     // an exception vector was taken
    ConsoleWrite = 4,  // write(2) to the console: bytes at a user virtual address
    UserEnter = 5,     // the kernel enters ring 3 for the first time in a program
    Log = 6,           // a kernel log line (printk)
    Shutdown = 7,      // the kernel is about to write kPortExit: its own counters
};

struct EventHeader {
    uint32_t magic;
    uint16_t type;
    uint16_t size;  // of the whole record, header included
};

// How a syscall reached the kernel entry.
enum class EntryVia : uint32_t {
    Hardware = 0,  // the CPU switched to CPL 0 and jumped to LSTAR, as the SDM says
    PfShim = 1,    // this host's KVM stayed at CPL 3; the #PF entry completed the switch
};

struct SyscallEnterEvent {
    EventHeader h;
    uint64_t nr;         // RAX
    uint64_t args[6];    // RDI, RSI, RDX, R10, R8, R9
    uint64_t user_rip;   // RCX: where sysretq will return
    uint64_t user_rflags;  // R11
    uint64_t user_rsp;   // saved in the per-CPU area before the stack switch
    uint64_t pt_regs;    // kernel virtual address of the pt_regs frame (on the kernel stack)
    uint64_t gs_base;    // GS base after swapgs (the per-CPU area)
    uint64_t handler;    // sys_call_table[nr], or sys_ni_syscall
    uint64_t lstar;      // where the entry began (the LSTAR value)
    uint64_t cr3;
    uint32_t cpl;        // CPL while running the entry (CS & 3)
    EntryVia via;
};

struct SyscallExitEvent {
    EventHeader h;
    uint64_t nr;
    uint64_t ret;     // RAX
    uint64_t rcx;     // the user RIP sysretq loads
    uint64_t r11;     // the RFLAGS sysretq loads
    uint64_t user_rsp;
    uint64_t cr3;
    uint16_t sysret_cs;  // what SYSRET will load into CS and SS (from STAR[63:48])
    uint16_t sysret_ss;
    uint32_t cpl;
};

enum class ExceptionAction : uint32_t {
    KillTask = 0,  // from user mode: the program is killed, as by a signal
    Panic = 1,     // from kernel mode: the kernel stops
};

struct ExceptionEvent {
    EventHeader h;
    uint64_t vector;
    uint64_t error_code;
    uint64_t rip;
    uint64_t cs;
    uint64_t rflags;
    uint64_t rsp;
    uint64_t ss;
    uint64_t cr2;
    uint64_t cr3;
    uint32_t has_error_code;
    ExceptionAction action;
    uint32_t signal;  // the Linux signal a user task would get (SIGSEGV, SIGILL, ...)
    uint32_t reserved;
};

struct ConsoleWriteEvent {
    EventHeader h;
    uint64_t fd;
    uint64_t va;   // user virtual address, read by the monitor through the current CR3
    uint64_t len;
};

inline constexpr unsigned kNameMax = 32;
struct UserEnterEvent {
    EventHeader h;
    uint64_t rip;
    uint64_t rsp;
    uint64_t rflags;
    uint64_t cr3;
    uint16_t cs;
    uint16_t ss;
    uint32_t reserved;
    char name[kNameMax];  // program name, NUL-terminated
};

inline constexpr unsigned kLogMax = 240;
struct LogEvent {
    EventHeader h;
    uint32_t len;
    uint32_t level;
    char text[kLogMax];
};

struct ShutdownEvent {
    EventHeader h;
    uint64_t status;
    uint64_t syscalls;
    uint64_t via_hardware;
    uint64_t via_pf_shim;
    uint64_t exceptions;
};

static_assert(sizeof(SyscallEnterEvent) <= kEventMaxSize);
static_assert(sizeof(ExceptionEvent) <= kEventMaxSize);
static_assert(sizeof(LogEvent) <= kEventMaxSize);

}  // namespace lstar::abi
