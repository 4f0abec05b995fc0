// lstar's own typed view of a VM exit. The vCPU wrapper converts `struct kvm_run` into a VmExit
// right after KVM_RUN returns; everything past that boundary (the dispatcher, the log) sees only
// these types, so tests can make exits up without /dev/kvm.
#pragma once
#include <linux/kvm.h>

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

namespace lstar {

namespace exits {
struct Io {
    uint16_t port;
    uint8_t size;  // 1, 2 or 4
    bool in;
    uint32_t count;  // > 1 for rep ins/outs
    uint64_t value;  // the first element written by an OUT
    std::span<const uint8_t> data;  // all OUT data; points into kvm_run, valid until the next KVM_RUN
};
struct Mmio {
    uint64_t gpa;
    uint32_t len;
    bool write;
    uint64_t data;
};
struct Msr {  // a guest RDMSR/WRMSR that the MSR filter sent to user space
    bool write;
    uint32_t index;
    uint64_t data;    // the value a WRMSR writes
    uint32_t reason;  // KVM_MSR_EXIT_REASON_*
};
struct Hlt {};
struct Shutdown {};  // triple fault
struct InternalError {
    uint32_t suberror;  // KVM_INTERNAL_ERROR_EMULATION = 1, ...
    uint32_t ndata;
    std::array<uint64_t, 16> data;
};
struct Debug {
    uint32_t exception;
    uint64_t pc, dr6, dr7;
};
struct FailEntry {
    uint64_t reason;
};
struct SystemEvent {
    uint32_t type;
};
struct Interrupted {  // KVM_RUN returned EINTR: a signal (timeout, Ctrl-C) asked us to stop
    int signal = 0;   // which one, filled in by the run loop
};
struct Unknown {
    uint32_t reason;
};
}  // namespace exits

using ExitKind = std::variant<exits::Io, exits::Mmio, exits::Msr, exits::Hlt, exits::Shutdown, exits::InternalError,
                              exits::Debug, exits::FailEntry, exits::SystemEvent, exits::Interrupted, exits::Unknown>;

// The vCPU state KVM hands back with each exit (KVM_CAP_SYNC_REGS): no extra ioctl on the hot path.
struct CpuState {
    kvm_regs regs{};
    kvm_sregs sregs{};
    unsigned cpl() const { return sregs.cs.selector & 3; }
};

struct VmExit {
    ExitKind kind;
    CpuState cpu;
    // False when this exit was run without KVM_SYNC_X86_SREGS (Vcpu::sync_sregs): cpu.sregs is
    // then stale: the run loop fetches it for the exits that read it (exit_needs_sregs, session.cpp).
    bool sregs_valid = true;
};

// The name of an exit as it appears in the exit log: "io", "hlt", "shutdown", ...
std::string_view exit_name(const ExitKind& kind);

// Convert the kvm_run mapping (run_size bytes: port I/O data sits past the kvm_run struct, in the
// next page) after KVM_RUN returned (ret = its return value, err = errno).
VmExit convert_exit(const kvm_run& run, size_t run_size, int ret, int err);

}  // namespace lstar
