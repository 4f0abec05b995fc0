// Software breakpoints: int3 (0xcc) written over the first byte of an instruction in guest
// memory, for a KVM whose debug registers do not fire (docs/tracing.md, "Breakpoint kinds").
//
// The monitor writes guest-physical memory, so a kernel text page the guest maps read-only is no
// obstacle. The original byte is kept and put back when the breakpoint goes, unless the guest
// wrote over the int3 meanwhile: then the guest's byte stays. Two linear addresses that map the
// same physical byte (a PTI trampoline seen through both page tables) share one patch.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "memory/guest_memory.hpp"

namespace lstar::trace {

inline constexpr uint8_t kInt3 = 0xcc;

class Int3Patches {
public:
    explicit Int3Patches(GuestMemory& mem) : mem_(mem) {}

    // Write int3 at gpa for the instruction at linear address va. False (nothing written) when the
    // byte is not in guest RAM. Inserting a va that is already patched is a no-op.
    bool insert(uint64_t va, uint64_t gpa);
    // Put the original byte back (if no other patch shares the byte and it still holds int3).
    void remove(uint64_t va);
    void remove_all();

    bool patched(uint64_t va) const { return find(va) != nullptr; }
    // The byte the guest had at va before the int3: what a reader of guest memory should see.
    std::optional<uint8_t> original(uint64_t va) const;
    size_t size() const { return patches_.size(); }

private:
    struct Patch {
        uint64_t va, gpa;
        uint8_t orig;
    };
    const Patch* find(uint64_t va) const;

    GuestMemory& mem_;
    std::vector<Patch> patches_;
};

}  // namespace lstar::trace
