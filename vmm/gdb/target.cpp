#include "gdb/target.hpp"

#include <algorithm>

#include "gdb/rsp.hpp"
#include "memory/page_walk.hpp"
#include "x86/msr.hpp"

namespace lstar::gdb {

// Registers as gdb sees them, read from the vCPU.
//
// Why both KVM_GET/SET_REGS and the kvm_run copy: the run loop uses KVM_CAP_SYNC_REGS. KVM loads
// kvm_run.s.regs into the vCPU at the next KVM_RUN only when kvm_dirty_regs says so; Vcpu::run()
// clears those bits after every run, so normally the ioctls are the truth and the copy is ignored.
// If monitor code marked the copy dirty during this stop, that copy is the pending truth: read it,
// and mirror every write into it, so that whichever one KVM loads holds gdb's value.
Machine load(kvm::Vcpu& v) {
    Machine m;
    auto& run = v.run_page();
    m.regs = (run.kvm_dirty_regs & KVM_SYNC_X86_REGS) ? run.s.regs.regs : v.get_regs();
    m.sregs = (run.kvm_dirty_regs & KVM_SYNC_X86_SREGS) ? run.s.regs.sregs : v.get_sregs();
    m.kernel_gs_base = v.get_msrs({x86::kMsrKernelGsBase})[0];
    return m;
}

void store(kvm::Vcpu& v, Machine& m) {
    auto& run = v.run_page();
    if (m.regs_dirty) {
        v.set_regs(m.regs);
        run.s.regs.regs = m.regs;
    }
    if (m.sregs_dirty) {
        v.set_sregs(m.sregs);
        run.s.regs.sregs = m.sregs;
    }
    if (m.kernel_gs_base_dirty) v.set_msrs({{x86::kMsrKernelGsBase, m.kernel_gs_base}});
    m.regs_dirty = m.sregs_dirty = m.kernel_gs_base_dirty = false;
}

namespace {

// Guest-virtual → guest-physical for the debugger, at the vCPU's current CR3 (the user or the
// kernel page table, whichever is live). Before paging is on, addresses are physical.
std::optional<uint64_t> to_gpa(const GuestMemory& mem, const Machine& m, uint64_t va, uint64_t* room) {
    if (!(m.sregs.cr0 & x86::kCr0Pg)) {
        if (va >= mem.size()) return std::nullopt;
        *room = mem.size() - va;
        return va;
    }
    auto t = translate(mem, m.sregs.cr3, va);
    if (!t || !mem.contains(t->gpa, 1)) return std::nullopt;
    *room = std::min(t->page_size - (va & (t->page_size - 1)), mem.size() - t->gpa);
    return t->gpa;
}

}  // namespace

std::optional<uint64_t> guest_physical(const GuestMemory& mem, const Machine& m, uint64_t va) {
    uint64_t room = 0;
    return to_gpa(mem, m, va, &room);
}

// Byte by byte would do; page by page is what a 4 KiB x/1000x needs.
std::string read_memory(const GuestMemory& mem, const Machine& m, uint64_t addr, uint64_t len) {
    std::string out;
    while (len > 0) {
        uint64_t room = 0;
        auto gpa = to_gpa(mem, m, addr, &room);
        if (!gpa) break;
        uint64_t n = std::min(len, room);
        out += rsp::to_hex(mem.span(*gpa, n).data(), n);
        addr += n;
        len -= n;
    }
    return out.empty() && len > 0 ? "E14" : out;
}

// 'M' and 'X': all or nothing, and regardless of the page's R/W bit, as ptrace writes.
bool write_memory(GuestMemory& mem, const Machine& m, uint64_t addr, std::span<const uint8_t> bytes) {
    std::vector<std::pair<uint64_t, uint64_t>> pieces;  // gpa, length
    for (uint64_t done = 0; done < bytes.size();) {
        uint64_t room = 0;
        auto gpa = to_gpa(mem, m, addr + done, &room);
        if (!gpa) return false;
        uint64_t n = std::min<uint64_t>(bytes.size() - done, room);
        pieces.push_back({*gpa, n});
        done += n;
    }
    uint64_t done = 0;
    for (auto [gpa, n] : pieces) {
        mem.write_bytes(gpa, bytes.subspan(done, n));
        done += n;
    }
    return true;
}

}  // namespace lstar::gdb
