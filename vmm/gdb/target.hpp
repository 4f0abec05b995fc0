// The stopped target as gdb reads and writes it: registers from and to the vCPU, memory by
// guest-virtual address through the guest's page tables at the vCPU's CR3.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "gdb/registers.hpp"
#include "kvm/vcpu.hpp"
#include "memory/guest_memory.hpp"

namespace lstar::gdb {

Machine load(kvm::Vcpu& v);
void store(kvm::Vcpu& v, Machine& m);  // what the dirty flags say changed; clears them

// 'm': hex of as many bytes as are mapped from addr on (gdb accepts a short read); "E14" (EFAULT)
// when not even the first is.
std::string read_memory(const GuestMemory& mem, const Machine& m, uint64_t addr, uint64_t len);
// The guest-physical address of va at the vCPU's CR3 (va itself with paging off); nullopt when
// unmapped or outside RAM. Where a software breakpoint goes.
std::optional<uint64_t> guest_physical(const GuestMemory& mem, const Machine& m, uint64_t va);
// 'M'/'X': all or nothing; false when a byte is unmapped.
bool write_memory(GuestMemory& mem, const Machine& m, uint64_t addr, std::span<const uint8_t> bytes);

}  // namespace lstar::gdb
