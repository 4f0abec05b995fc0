// The registers gdb sees, in one table that both the target description (target.xml) and the
// 'g'/'G'/'p'/'P' packets are generated from, so that the two cannot disagree. The numbering is
// gdb's remote numbering (the order of <reg> elements):
//   0-15  rax rbx rcx rdx rsi rdi rbp rsp r8-r15   org.gnu.gdb.i386.core (amd64's 64bit-core.xml)
//   16    rip, 17 eflags (32 bits), 18-23 cs ss ds es fs gs (32 bits each)
//   24-39 st0-st7 (80 bits) and fctrl..fop: the core feature requires them; sent as zeros
//   40-41 fs_base gs_base                          org.gnu.gdb.i386.segments
//   42-47 cr0 cr2 cr3 cr4 efer kernel_gs_base      org.lstar.x86.system (so `p/x $cr3` works)
#pragma once
#include <linux/kvm.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lstar::gdb {

// The vCPU state behind the registers; the dirty flags say what a write changed.
struct Machine {
    kvm_regs regs{};
    kvm_sregs sregs{};
    __u64 kernel_gs_base = 0;  // MSR 0xc0000102
    bool regs_dirty = false, sregs_dirty = false, kernel_gs_base_dirty = false;
};

int register_count();
unsigned register_size(int regno);  // bytes

// Little-endian bytes, register_size(regno) of them.
std::vector<uint8_t> read_register(const Machine& m, int regno);
// False (and nothing changed) when the register cannot be written and the value differs: segment
// selectors (a selector without its descriptor would be a lie) and the x87 placeholders.
bool write_register(Machine& m, int regno, std::span<const uint8_t> bytes);

std::string g_packet_hex(const Machine& m);
bool apply_g_packet(Machine& m, std::span<const uint8_t> bytes);  // false on a short packet or refused write

std::string target_xml();

}  // namespace lstar::gdb
