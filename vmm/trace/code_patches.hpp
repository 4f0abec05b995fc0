// Software breakpoints: a short instruction that stops the guest, written over the first bytes of
// an instruction in guest memory, for a KVM whose debug registers do not fire (docs/tracing.md,
// "Breakpoint kinds").
//
// Two such instructions, because what leaves KVM_RUN depends on the VM:
//  * hlt (one byte): exits to the monitor where the VM has no in-kernel interrupt controller
//    (lstar's own boot protocols); RIP is one past it.
//  * `out 0xef, al` (two bytes): a port no device of KVM's in-kernel irqchip or PIT claims, so it
//    exits to the monitor with any VM (a foreign kernel with KVM's LAPIC halts in KVM itself);
//    RIP is still on it. It covers two bytes, so it goes only over an instruction at least that
//    long (the tracer checks), and the vCPU's pending OUT is finished before RIP is put back.
// QEMU 7.2's emulated AMD-V intercepts neither int3 nor int1 as exceptions (it delivers them to
// the guest), so neither is used.
//
// The monitor writes guest-physical memory, so a kernel text page the guest maps read-only is no
// obstacle. The original bytes are kept and put back when the breakpoint goes, unless the guest
// wrote over the patch meanwhile: then the guest's bytes stay. Two linear addresses that map the
// same physical byte (a PTI trampoline seen through both page tables) share one patch.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "event_abi.hpp"  // shared/: kPortBreakpoint
#include "kvm/exit.hpp"
#include "loader/elf.hpp"
#include "memory/guest_memory.hpp"

namespace lstar::trace {

struct PatchInsn {
    std::array<uint8_t, 2> bytes;
    uint8_t len;
    const char* name;  // for the logs: "hlt", "out"
};
inline constexpr PatchInsn kHlt{{0xf4, 0}, 1, "hlt"};
inline constexpr PatchInsn kOutBreakpoint{{0xe6, uint8_t(abi::kPortBreakpoint)}, 2, "out"};
static_assert(abi::kPortBreakpoint < 0x100, "out imm8 reaches ports below 0x100 only");

// Where the loader put the byte at va (the kernel image's PT_LOAD segments, vaddr -> paddr): for
// code the guest's page tables do not map yet (lstar's kernel maps its entry area during boot,
// from the pages the loader filled). nullopt outside every segment's file bytes.
std::optional<uint64_t> image_gpa(std::span<const ElfSegment> segments, uint64_t va);

class CodePatches {
public:
    CodePatches(GuestMemory& mem, PatchInsn insn) : mem_(mem), insn_(insn) {}

    const PatchInsn& insn() const { return insn_; }
    // Write the patch at gpa for the instruction at linear address va. False (nothing written) when
    // its bytes are not in guest RAM or would cross a page (the next page may be elsewhere).
    // Inserting a va that is already patched is a no-op.
    bool insert(uint64_t va, uint64_t gpa);
    // Put the original bytes back (if no other patch shares them and they still hold the patch).
    void remove(uint64_t va);
    void remove_all();

    bool patched(uint64_t va) const { return find(va) != nullptr; }
    // The exit one of these patches caused, as the breakpoint's address: a hlt exit one past a
    // patch, or an OUT to kPortBreakpoint on a patch (or past it: older KVMs moved RIP first).
    std::optional<uint64_t> hit(const VmExit& e) const;
    // The byte the guest had at va before the patch: what a reader of guest memory should see.
    std::optional<uint8_t> original(uint64_t va) const;
    size_t size() const { return patches_.size(); }

private:
    struct Patch {
        uint64_t va, gpa;
        std::array<uint8_t, 2> orig;
    };
    const Patch* find(uint64_t va) const;
    bool holds_patch(uint64_t gpa) const;

    GuestMemory& mem_;
    PatchInsn insn_;
    std::vector<Patch> patches_;
};

}  // namespace lstar::trace
