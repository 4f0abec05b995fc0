#include "kvm/vcpu.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <stdexcept>
#include <system_error>

#include "common/hex.hpp"
#include "kvm/ioctl.hpp"
#include "kvm/uapi.hpp"

namespace lstar::kvm {

Vcpu::Vcpu(Fd fd, int mmap_size) : fd_(std::move(fd)), mmap_size_(mmap_size) {
    void* p = ::mmap(nullptr, size_t(mmap_size), PROT_READ | PROT_WRITE, MAP_SHARED, fd_.get(), 0);
    if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap of kvm_run");
    run_ = static_cast<kvm_run*>(p);
    run_->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
}

Vcpu::~Vcpu() {
    if (run_) ::munmap(run_, size_t(mmap_size_));
}

kvm_regs Vcpu::get_regs() const {
    kvm_regs r{};
    KVM_CHECKED(fd_.get(), KVM_GET_REGS, &r);
    return r;
}
void Vcpu::set_regs(const kvm_regs& r) { KVM_CHECKED(fd_.get(), KVM_SET_REGS, &r); }
kvm_sregs Vcpu::get_sregs() const {
    kvm_sregs s{};
    KVM_CHECKED(fd_.get(), KVM_GET_SREGS, &s);
    return s;
}
void Vcpu::set_sregs(const kvm_sregs& s) { KVM_CHECKED(fd_.get(), KVM_SET_SREGS, &s); }

void Vcpu::set_guest_debug(const kvm_guest_debug& dbg) { KVM_CHECKED(fd_.get(), KVM_SET_GUEST_DEBUG, &dbg); }

void Vcpu::set_cpuid(const std::vector<kvm_cpuid_entry2>& entries) {
    uapi::FlexBuffer<uapi::CpuidHeader, kvm_cpuid_entry2> buf(entries.size());
    buf.header()->nent = uint32_t(entries.size());
    std::copy(entries.begin(), entries.end(), buf.entries());
    checked_ioctl(fd_.get(), uapi::kSetCpuid2, "KVM_SET_CPUID2", buf.data());
}

namespace {
struct MsrBuffer : uapi::FlexBuffer<uapi::MsrsHeader, kvm_msr_entry> {
    explicit MsrBuffer(size_t n) : FlexBuffer(n) { header()->nmsrs = uint32_t(n); }
};

}  // namespace

void Vcpu::set_msrs(const std::vector<std::pair<uint32_t, uint64_t>>& msrs) {
    MsrBuffer b(msrs.size());
    for (size_t i = 0; i < msrs.size(); ++i) b.entries()[i] = {msrs[i].first, 0, msrs[i].second};
    int n = checked_ioctl(fd_.get(), uapi::kSetMsrs, "KVM_SET_MSRS", b.data());
    if (size_t(n) != msrs.size())
        throw std::runtime_error("KVM_SET_MSRS wrote " + std::to_string(n) + " of " + std::to_string(msrs.size()) +
                                 " MSRs: KVM refused MSR " + hex(msrs[size_t(n)].first) + " = " +
                                 hex(msrs[size_t(n)].second));
}

std::vector<uint64_t> Vcpu::get_msrs(const std::vector<uint32_t>& indices) const {
    MsrBuffer b(indices.size());
    for (size_t i = 0; i < indices.size(); ++i) b.entries()[i].index = indices[i];
    int n = checked_ioctl(fd_.get(), uapi::kGetMsrs, "KVM_GET_MSRS", b.data());
    if (size_t(n) != indices.size())
        throw std::runtime_error("KVM_GET_MSRS read " + std::to_string(n) + " of " + std::to_string(indices.size()) +
                                 " MSRs: KVM refused MSR " + hex(indices[size_t(n)]));
    std::vector<uint64_t> values(indices.size());
    for (size_t i = 0; i < indices.size(); ++i) values[i] = b.entries()[i].data;
    return values;
}

VmExit Vcpu::run() {
    int r = raw_ioctl(fd_.get(), KVM_RUN, 0);
    int err = errno;
    run_->kvm_dirty_regs = 0;
    return convert_exit(*run_, size_t(mmap_size_), r, err);
}

void Vcpu::finish_pending_io() {
    run_->immediate_exit = 1;
    int r = raw_ioctl(fd_.get(), KVM_RUN, 0);
    int err = errno;
    run_->immediate_exit = 0;
    run_->kvm_dirty_regs = 0;
    if (r == 0 || err != EINTR)
        throw std::runtime_error(std::string("KVM_RUN (immediate_exit, finishing an I/O exit): ") +
                                 (r == 0 ? "entered the guest" : std::strerror(err)));
}

void Vcpu::complete_io_read(const VmExit& exit, uint64_t value) {
    auto& run = run_page();
    if (auto* io = std::get_if<exits::Io>(&exit.kind)) {
        auto* base = reinterpret_cast<uint8_t*>(&run);
        for (uint32_t i = 0; i < io->count; ++i) {
            size_t off = run.io.data_offset + size_t(i) * io->size;
            if (off + io->size <= run_size()) std::memcpy(base + off, &value, io->size);
        }
    } else if (auto* m = std::get_if<exits::Mmio>(&exit.kind)) {
        std::memcpy(run.mmio.data, &value, std::min<size_t>(m->len, sizeof run.mmio.data));
    }
}

void Vcpu::complete_io_read_bytes(const VmExit& exit, const std::vector<uint8_t>& bytes) {
    auto& run = run_page();
    if (!std::holds_alternative<exits::Io>(exit.kind)) return;
    size_t n = std::min<size_t>(bytes.size(), run_size() > run.io.data_offset ? run_size() - run.io.data_offset : 0);
    std::memcpy(reinterpret_cast<uint8_t*>(&run) + run.io.data_offset, bytes.data(), n);
}

}  // namespace lstar::kvm
