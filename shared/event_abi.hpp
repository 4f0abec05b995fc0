// The port ABI between the guest kernel and the monitor.
//
//  * kPortConsole (outb): one byte of console output, as Bochs/QEMU "debugcon" on port 0xe9.
//  * kPortEvent (outl): the guest-physical address of an event record. One record, one VM exit.
//    The monitor treats every record as hostile: it checks the magic, the type, the size and that
//    the whole record lies inside guest RAM before it reads a field.
//  * kPortExit (outl): the guest's exit status; the run ends.
//  * kPortNull (any width): ignored. One exit that the monitor does nothing about, for measuring
//    the exit round trip (bench/).
//  * kPortBreakpoint (outb): never written by the guest's own code. The monitor's software
//    breakpoint for a kernel with KVM's in-kernel interrupt controller is `out 0xef, al` written
//    over an instruction (vmm/trace/code_patches.hpp); `out imm8` reaches ports below 0x100 only,
//    and 0xef is free on a PC and in KVM's in-kernel PIC/PIT, so it always exits to the monitor.
#pragma once
#include <cstdint>

namespace lstar::abi {

inline constexpr uint16_t kPortConsole = 0x00e9;
inline constexpr uint16_t kPortEvent = 0x0ec0;
inline constexpr uint16_t kPortExit = 0x0ec4;
inline constexpr uint16_t kPortNull = 0x0ec8;
inline constexpr uint16_t kPortBreakpoint = 0x00ef;

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
    ConsoleRead = 8,   // read(2) from the console: the monitor fills the user buffer from its stdin
};

// The console's streams: which of the monitor's descriptors a console file stands for
// (ConsoleWriteEvent.fd, ConsoleReadEvent.fd). fd 0, 1, 2 of the first program are these three.
enum class ConsoleStream : uint64_t { Stdin = 0, Stdout = 1, Stderr = 2 };

struct EventHeader {
    uint32_t magic;
    uint16_t type;
    uint16_t size;  // of the whole record, header included
};

// Which instruction entered the kernel ("the three doors").
enum class Door : uint32_t {
    Syscall = 0,   // SYSCALL: IA32_LSTAR, no IDT, no stack switch by the CPU; 64-bit ABI
    Int80 = 1,     // INT $0x80: IDT gate with DPL 3, CPU switches to TSS.RSP0; i386 ABI
    Sysenter = 2,  // SYSENTER: IA32_SYSENTER_CS/EIP/ESP
};

// How the entry was completed.
enum class EntryVia : uint32_t {
    Hardware = 0,     // the CPU did it all, as the SDM says
    PfShim = 1,       // SYSCALL stayed at CPL 3 on this host; the #PF entry completed the switch
    UdShim = 2,       // INT $0x80 raised #UD on this host; the #UD entry completed the gate
};

// How the kernel went back to user mode.
enum class ReturnVia : uint32_t {
    Sysret = 0,  // SYSRETQ: RIP <- RCX, RFLAGS <- R11, CS/SS from STAR[63:48]
    Iret = 1,    // IRETQ: RIP, CS, RFLAGS, RSP, SS popped from the kernel stack
    Sysexit = 2,
};

// The kernel's entry mode (lstar.entry= on the command line).
enum class EntryMode : uint32_t {
    Direct = 0,   // LSTAR = entry_SYSCALL_64, one page table per process
    Pti = 1,      // LSTAR = entry_SYSCALL_64_trampoline; user and kernel page tables (CR3 bit 12)
    PtiPcid = 2,  // as Pti, with PCIDs and CR3.NOFLUSH
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
    uint64_t cr3;        // CR3 while in the kernel
    uint32_t cpl;        // CPL while running the entry (CS & 3)
    EntryVia via;
    // Added for the doors and PTI:
    Door door;
    uint32_t abi_bits;   // 64 (x86-64 syscall ABI and numbers) or 32 (i386 ABI and numbers)
    uint64_t user_cr3;   // the CR3 user mode runs on (== cr3 in direct mode)
    uint64_t regs_ip, regs_cs, regs_flags, regs_sp, regs_ss;  // pt_regs' hardware-frame part
    uint64_t stack_top;  // top of the kernel stack the handler runs on
    uint32_t entry_mode;  // EntryMode
    uint32_t reserved;
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
    // Added for the doors and PTI:
    Door door;
    ReturnVia how;
    uint64_t user_cr3;   // the CR3 the kernel switches back to before returning
    uint64_t regs_ip, regs_cs, regs_flags, regs_sp, regs_ss;  // what IRETQ pops (when how == Iret)
};

enum class ExceptionAction : uint32_t {
    KillTask = 0,  // from user mode: the program is killed, as by a signal
    Panic = 1,     // from kernel mode: the kernel stops
    Fixup = 2,     // handled, the program goes on (a vsyscall emulated by the #PF handler)
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
    uint64_t handler_rsp;  // RSP when the C handler ran: which stack (TSS.RSP0, an IST stack)
};

struct ConsoleWriteEvent {
    EventHeader h;
    uint64_t fd;   // ConsoleStream: Stdout or Stderr
    uint64_t va;   // user virtual address, read by the monitor through the current CR3
    uint64_t len;
};

// The monitor blocks on its stdin until some bytes or end of file, writes up to len of them to
// the user buffer through the current CR3, and stores the count (0: end of file) or a negative
// errno in `result` of this record before the guest resumes.
struct ConsoleReadEvent {
    EventHeader h;
    uint64_t fd;   // ConsoleStream::Stdin
    uint64_t va;
    uint64_t len;
    int64_t result;  // written by the monitor
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
