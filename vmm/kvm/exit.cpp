#include "kvm/exit.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace lstar {

namespace {
template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};
}  // namespace

std::string_view exit_name(const ExitKind& kind) {
    return std::visit(overloaded{
                          [](const exits::Io&) { return std::string_view("io"); },
                          [](const exits::Mmio&) { return std::string_view("mmio"); },
                          [](const exits::Msr& m) { return std::string_view(m.write ? "wrmsr" : "rdmsr"); },
                          [](const exits::Hlt&) { return std::string_view("hlt"); },
                          [](const exits::Shutdown&) { return std::string_view("shutdown"); },
                          [](const exits::InternalError&) { return std::string_view("internal_error"); },
                          [](const exits::Debug&) { return std::string_view("debug"); },
                          [](const exits::FailEntry&) { return std::string_view("fail_entry"); },
                          [](const exits::SystemEvent&) { return std::string_view("system_event"); },
                          [](const exits::Interrupted&) { return std::string_view("interrupted"); },
                          [](const exits::Unknown&) { return std::string_view("unknown"); },
                      },
                      kind);
}

static ExitKind convert_kind(const kvm_run& run, size_t run_size) {
    switch (run.exit_reason) {
    case KVM_EXIT_IO: {
        exits::Io io{};
        io.port = run.io.port;
        io.size = run.io.size;
        io.in = run.io.direction == KVM_EXIT_IO_IN;
        io.count = run.io.count;
        // data_offset comes from the kernel, but stay inside the mapping all the same.
        const auto* base = reinterpret_cast<const uint8_t*>(&run);
        size_t bytes = size_t(io.size) * io.count;
        if (io.size <= 8 && bytes && run.io.data_offset <= run_size && bytes <= run_size - run.io.data_offset) {
            io.data = {base + run.io.data_offset, bytes};
            std::memcpy(&io.value, io.data.data(), std::min<size_t>(io.size, sizeof io.value));
        }
        return io;
    }
    case KVM_EXIT_MMIO: {
        exits::Mmio m{run.mmio.phys_addr, run.mmio.len, bool(run.mmio.is_write), 0};
        std::memcpy(&m.data, run.mmio.data, std::min<size_t>(m.len, sizeof m.data));
        return m;
    }
    case KVM_EXIT_X86_RDMSR:
    case KVM_EXIT_X86_WRMSR:
        return exits::Msr{run.exit_reason == KVM_EXIT_X86_WRMSR, run.msr.index, run.msr.data, run.msr.reason};
    case KVM_EXIT_HLT: return exits::Hlt{};
    case KVM_EXIT_SHUTDOWN: return exits::Shutdown{};
    case KVM_EXIT_INTERNAL_ERROR: {
        exits::InternalError e{run.internal.suberror, std::min<uint32_t>(run.internal.ndata, 16), {}};
        std::copy_n(run.internal.data, e.ndata, e.data.begin());
        return e;
    }
    case KVM_EXIT_DEBUG:
        return exits::Debug{run.debug.arch.exception, run.debug.arch.pc, run.debug.arch.dr6, run.debug.arch.dr7};
    case KVM_EXIT_FAIL_ENTRY: return exits::FailEntry{run.fail_entry.hardware_entry_failure_reason};
    case KVM_EXIT_SYSTEM_EVENT: return exits::SystemEvent{run.system_event.type};
    default: return exits::Unknown{run.exit_reason};
    }
}

VmExit convert_exit(const kvm_run& run, size_t run_size, int ret, int err) {
    VmExit e{exits::Interrupted{}, {}};
    e.cpu.regs = run.s.regs.regs;
    e.sregs_valid = run.kvm_valid_regs & KVM_SYNC_X86_SREGS;
    // 312 bytes KVM did not fill: copying them was 43 of lstar's ~730 instructions per port-I/O
    // exit (callgrind, docs/benchmarks.md); readers check sregs_valid (run/run_loop.cpp, last_seen).
    if (e.sregs_valid) e.cpu.sregs = run.s.regs.sregs;
    if (ret < 0) {
        if (err == EINTR || err == EAGAIN) return e;
        throw std::system_error(err, std::generic_category(), "KVM_RUN");
    }
    // With immediate_exit set, KVM_RUN may also come back as KVM_EXIT_INTR.
    if (run.exit_reason == KVM_EXIT_INTR) return e;
    e.kind = convert_kind(run, run_size);
    return e;
}

}  // namespace lstar
