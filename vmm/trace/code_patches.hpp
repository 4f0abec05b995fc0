// Software breakpoints: a one-byte instruction that stops the guest (hlt) written over
// the first byte of an instruction in guest memory, for a KVM whose debug registers do not fire
// (docs/tracing.md, "Breakpoint kinds").
//
// The monitor writes guest-physical memory, so a kernel text page the guest maps read-only is no
// obstacle. The original byte is kept and put back when the breakpoint goes, unless the guest
// wrote over the patch meanwhile: then the guest's byte stays. Two linear addresses that map the
// same physical byte (a PTI trampoline seen through both page tables) share one patch.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "loader/elf.hpp"
#include "memory/guest_memory.hpp"

namespace lstar::trace {

// hlt: a VM exit to the monitor on every KVM where the VM has no in-kernel interrupt controller
// (lstar's own boot protocols), RIP one past it. QEMU 7.2's emulated AMD-V does not intercept int3
// or int1 as exceptions (it delivers them to the guest), but it does intercept hlt.
inline constexpr uint8_t kHlt = 0xf4;

// Where the loader put the byte at va (the kernel image's PT_LOAD segments, vaddr -> paddr): for
// code the guest's page tables do not map yet (lstar's kernel maps its entry area during boot,
// from the pages the loader filled). nullopt outside every segment's file bytes.
std::optional<uint64_t> image_gpa(std::span<const ElfSegment> segments, uint64_t va);

class CodePatches {
public:
    CodePatches(GuestMemory& mem, uint8_t opcode) : mem_(mem), opcode_(opcode) {}

    uint8_t opcode() const { return opcode_; }
    // Write the opcode at gpa for the instruction at linear address va. False (nothing written) when the
    // byte is not in guest RAM. Inserting a va that is already patched is a no-op.
    bool insert(uint64_t va, uint64_t gpa);
    // Put the original byte back (if no other patch shares the byte and it still holds the opcode).
    void remove(uint64_t va);
    void remove_all();

    bool patched(uint64_t va) const { return find(va) != nullptr; }
    // The byte the guest had at va before the patch: what a reader of guest memory should see.
    std::optional<uint8_t> original(uint64_t va) const;
    size_t size() const { return patches_.size(); }

private:
    struct Patch {
        uint64_t va, gpa;
        uint8_t orig;
    };
    const Patch* find(uint64_t va) const;

    GuestMemory& mem_;
    uint8_t opcode_;
    std::vector<Patch> patches_;
};

}  // namespace lstar::trace
