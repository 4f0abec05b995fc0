// Segment descriptors, the 64-bit TSS descriptor and IDT gates (SDM vol. 3A 3.4.5, 7.2.3, 6.14.1).
// constexpr encoders and field decoders; the monitor's log decoders build on the decoders here.
#pragma once
#include <cstdint>

namespace lstar::x86 {

// Access byte bits of a code/data descriptor.
inline constexpr uint8_t kDescAccessed = 1 << 0;
inline constexpr uint8_t kDescRw = 1 << 1;        // readable code / writable data
inline constexpr uint8_t kDescExec = 1 << 3;      // code segment
inline constexpr uint8_t kDescCodeData = 1 << 4;  // S: code or data (not system)
inline constexpr uint8_t kDescPresent = 1 << 7;
// Flags nibble.
inline constexpr uint8_t kDescL = 1 << 1;    // 64-bit code segment
inline constexpr uint8_t kDescDb = 1 << 2;   // default operand size 32
inline constexpr uint8_t kDescG = 1 << 3;    // limit in 4 KiB units

inline constexpr uint8_t kSysTypeTss64Avail = 0x9;
inline constexpr uint8_t kSysTypeTss64Busy = 0xb;
inline constexpr uint8_t kSysTypeIntGate = 0xe;
inline constexpr uint8_t kSysTypeTrapGate = 0xf;

constexpr uint8_t dpl_bits(unsigned dpl) { return uint8_t((dpl & 3) << 5); }

// An 8-byte code/data descriptor.
constexpr uint64_t segment_descriptor(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags) {
    return uint64_t(limit & 0xffff) | uint64_t(base & 0xffffff) << 16 | uint64_t(access) << 40 |
           uint64_t((limit >> 16) & 0xf) << 48 | uint64_t(flags & 0xf) << 52 | uint64_t(base >> 24) << 56;
}
constexpr uint64_t code64_descriptor(unsigned dpl) {
    return segment_descriptor(0, 0xfffff, kDescPresent | dpl_bits(dpl) | kDescCodeData | kDescExec | kDescRw | kDescAccessed,
                              kDescG | kDescL);
}
constexpr uint64_t code32_descriptor(unsigned dpl) {
    return segment_descriptor(0, 0xfffff, kDescPresent | dpl_bits(dpl) | kDescCodeData | kDescExec | kDescRw | kDescAccessed,
                              kDescG | kDescDb);
}
constexpr uint64_t data_descriptor(unsigned dpl) {
    return segment_descriptor(0, 0xfffff, kDescPresent | dpl_bits(dpl) | kDescCodeData | kDescRw | kDescAccessed,
                              kDescG | kDescDb);
}

// GDT_ENTRY_CPUNODE (Linux's setup_getcpu): present, DPL 3, read-only data, expand-down, accessed
// (type 5), 32-bit, byte granular; limit = (node << 12) | cpu, the only payload. LSL from ring 3
// returns the limit (SDM vol. 2A LSL: data segments with DPL >= CPL are allowed).
inline constexpr unsigned kCpunodeCpuBits = 12;  // VDSO_CPUNODE_BITS
constexpr uint64_t cpunode_descriptor(unsigned cpu, unsigned node) {
    return segment_descriptor(0, (node << kCpunodeCpuBits) | (cpu & 0xfff),
                              kDescPresent | dpl_bits(3) | kDescCodeData | 0x5, kDescDb);
}
constexpr uint32_t desc_base(uint64_t d) { return uint32_t(((d >> 16) & 0xffffff) | ((d >> 56) & 0xff) << 24); }
constexpr uint32_t desc_limit(uint64_t d) { return uint32_t((d & 0xffff) | ((d >> 48) & 0xf) << 16); }
constexpr uint8_t desc_access(uint64_t d) { return uint8_t(d >> 40); }
constexpr uint8_t desc_flags(uint64_t d) { return uint8_t((d >> 52) & 0xf); }
constexpr unsigned desc_dpl(uint64_t d) { return (desc_access(d) >> 5) & 3; }
constexpr bool desc_present(uint64_t d) { return desc_access(d) & kDescPresent; }
constexpr bool desc_long(uint64_t d) { return desc_flags(d) & kDescL; }
constexpr bool desc_db(uint64_t d) { return desc_flags(d) & kDescDb; }
constexpr bool desc_system(uint64_t d) { return !(desc_access(d) & kDescCodeData); }
constexpr unsigned desc_type(uint64_t d) { return desc_access(d) & 0xf; }
constexpr unsigned cpunode_cpu(uint64_t d) { return desc_limit(d) & 0xfff; }
constexpr unsigned cpunode_node(uint64_t d) { return desc_limit(d) >> kCpunodeCpuBits; }

// A 16-byte system descriptor (64-bit TSS) as two quadwords: low at GDT[i], high at GDT[i+1].
struct SystemDescriptor {
    uint64_t low;
    uint64_t high;
};
constexpr SystemDescriptor tss_descriptor(uint64_t base, uint32_t limit, uint8_t type = kSysTypeTss64Avail) {
    return {segment_descriptor(uint32_t(base), limit, uint8_t(kDescPresent | type), 0), base >> 32};
}
constexpr uint64_t system_desc_base(SystemDescriptor d) { return desc_base(d.low) | (d.high & 0xffffffff) << 32; }

// A 16-byte IDT gate.
struct Gate {
    uint64_t low;
    uint64_t high;
};
constexpr Gate idt_gate(uint64_t handler, uint16_t selector, unsigned dpl, unsigned ist, uint8_t type = kSysTypeIntGate) {
    return {(handler & 0xffff) | uint64_t(selector) << 16 | uint64_t(ist & 7) << 32 |
                uint64_t(kDescPresent | dpl_bits(dpl) | type) << 40 | ((handler >> 16) & 0xffff) << 48,
            handler >> 32};
}
constexpr uint64_t gate_offset(Gate g) { return (g.low & 0xffff) | ((g.low >> 48) & 0xffff) << 16 | (g.high & 0xffffffff) << 32; }
constexpr uint16_t gate_selector(Gate g) { return uint16_t(g.low >> 16); }
constexpr unsigned gate_ist(Gate g) { return unsigned(g.low >> 32) & 7; }
constexpr unsigned gate_type(Gate g) { return unsigned(g.low >> 40) & 0xf; }
constexpr unsigned gate_dpl(Gate g) { return unsigned(g.low >> 45) & 3; }
constexpr bool gate_present(Gate g) { return (g.low >> 47) & 1; }

// The 64-bit TSS (SDM vol. 3A 8.7). Packed: RSP0 sits at offset 4.
struct __attribute__((packed)) Tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];  // ist[0] is IST1
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};
static_assert(sizeof(Tss64) == 0x68);
static_assert(__builtin_offsetof(Tss64, rsp) == 4);
static_assert(__builtin_offsetof(Tss64, ist) == 0x24);

}  // namespace lstar::x86
