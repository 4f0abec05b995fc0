#include "cpu/decode.hpp"

#include <fmt/format.h>

#include "common/hex.hpp"

#include "x86/exceptions.hpp"
#include "x86/msr.hpp"
#include "x86/paging.hpp"
#include "x86/selectors.hpp"

namespace lstar::x86 {
namespace {

struct BitName {
    uint64_t bit;
    const char* name;
};

// Names of the set bits in table order; bits the table does not know as "other=0x..".
template <size_t N>
std::string bit_names(uint64_t value, const BitName (&names)[N], uint64_t known_elsewhere = 0) {
    std::string s;
    uint64_t known = known_elsewhere;
    for (const auto& [bit, name] : names) {
        known |= bit;
        if (value & bit) s += fmt::format("{}{}", s.empty() ? "" : " ", name);
    }
    if (uint64_t other = value & ~known) s += fmt::format("{}other={:#x}", s.empty() ? "" : " ", other);
    return s.empty() ? "none" : s;
}

constexpr BitName kEferBits[] = {{kEferSce, "SCE"},     {kEferLme, "LME"},     {kEferLma, "LMA"},
                                 {kEferNxe, "NXE"},     {kEferSvme, "SVME"},   {kEferLmsle, "LMSLE"},
                                 {kEferFfxsr, "FFXSR"}, {kEferTce, "TCE"}};

// Bit 1 is always set and IOPL is a field: both handled by describe_rflags.
constexpr BitName kRflagsBits[] = {
    {kRflagsCf, "CF"}, {kRflagsPf, "PF"}, {kRflagsAf, "AF"}, {kRflagsZf, "ZF"},      {kRflagsSf, "SF"},
    {kRflagsTf, "TF"}, {kRflagsIf, "IF"}, {kRflagsDf, "DF"}, {kRflagsOf, "OF"},      {kRflagsNt, "NT"},
    {kRflagsRf, "RF"}, {kRflagsVm, "VM"}, {kRflagsAc, "AC"}, {1ull << 19, "VIF"},    {1ull << 20, "VIP"},
    {kRflagsId, "ID"}};

constexpr BitName kCr0Bits[] = {{kCr0Pe, "PE"},   {kCr0Mp, "MP"},     {1ull << 2, "EM"}, {1ull << 3, "TS"},
                                {kCr0Et, "ET"},   {kCr0Ne, "NE"},     {kCr0Wp, "WP"},    {kCr0Am, "AM"},
                                {1ull << 29, "NW"}, {1ull << 30, "CD"}, {kCr0Pg, "PG"}};

constexpr BitName kCr4Bits[] = {
    {1ull << 0, "VME"},       {1ull << 1, "PVI"},   {1ull << 2, "TSD"},       {1ull << 3, "DE"},
    {1ull << 4, "PSE"},       {kCr4Pae, "PAE"},     {1ull << 6, "MCE"},       {kCr4Pge, "PGE"},
    {1ull << 8, "PCE"},       {kCr4Osfxsr, "OSFXSR"}, {kCr4Osxmmexcpt, "OSXMMEXCPT"}, {1ull << 11, "UMIP"},
    {1ull << 12, "LA57"},     {1ull << 13, "VMXE"}, {1ull << 14, "SMXE"},     {1ull << 16, "FSGSBASE"},
    {kCr4Pcide, "PCIDE"},     {1ull << 18, "OSXSAVE"}, {1ull << 20, "SMEP"},  {1ull << 21, "SMAP"},
    {1ull << 22, "PKE"},      {1ull << 23, "CET"},  {1ull << 24, "PKS"}};

constexpr BitName kPteBits[] = {{kPtePresent, "P"}, {kPteWrite, "W"},    {kPteUser, "U"},   {kPtePwt, "PWT"},
                                {kPtePcd, "PCD"},   {kPteAccessed, "A"}, {kPteDirty, "D"},  {kPteLarge, "PS"},
                                {kPteGlobal, "G"},  {kPteNx, "NX"}};

std::string system_type_name(unsigned type) {
    switch (type) {
    case kSysTypeTss64Avail: return "TSS64 (available)";
    case kSysTypeTss64Busy: return "TSS64 (busy)";
    case kSysTypeIntGate: return "interrupt gate";
    case kSysTypeTrapGate: return "trap gate";
    case 0x2: return "LDT";
    case 0xc: return "call gate";
    default: return fmt::format("system type {:#x}", type);
    }
}

}  // namespace

std::string describe_descriptor(uint64_t d) {
    if (d == 0) return "null";
    auto fields = fmt::format("D={} G={} P={} base={} limit={}", int(desc_db(d)), int(bool(desc_flags(d) & kDescG)),
                              int(desc_present(d)), hex(desc_base(d)), hex(desc_limit(d)));
    if (desc_system(d)) return fmt::format("{} DPL{} {}", system_type_name(desc_type(d)), desc_dpl(d), fields);
    if (desc_access(d) & kDescExec)
        return fmt::format("code DPL{} L={} {}", desc_dpl(d), int(desc_long(d)), fields);
    // Expand-down (type bit 2) only on GDT_ENTRY_CPUNODE, whose limit is a payload: say so.
    return fmt::format("data DPL{} W={}{} {}", desc_dpl(d), int(bool(desc_access(d) & kDescRw)),
                       desc_type(d) & 0x4 ? " expand-down" : "", fields);
}

std::string describe_system_descriptor(SystemDescriptor d) {
    return fmt::format("{} base={} limit={} P={} DPL{}", system_type_name(desc_type(d.low)),
                       hex(system_desc_base(d)), hex(desc_limit(d.low)), int(desc_present(d.low)), desc_dpl(d.low));
}

std::string describe_gate(Gate g) {
    return fmt::format("{} sel={} off={} DPL{} IST{} P={}", system_type_name(gate_type(g)), hex(gate_selector(g)),
                       hex(gate_offset(g)), gate_dpl(g), gate_ist(g), int(gate_present(g)));
}

std::string describe_star(uint64_t star) {
    return fmt::format("SYSCALL CS={} SS={}; SYSRET CS={} SS={} (32-bit CS={})", hex(star_syscall_cs(star)),
                       hex(star_syscall_ss(star)), hex(star_sysret_cs64(star)), hex(star_sysret_ss(star)),
                       hex(star_sysret_cs32(star)));
}

std::string describe_efer(uint64_t efer) { return bit_names(efer, kEferBits); }

std::string describe_rflags(uint64_t rflags) {
    std::string s = bit_names(rflags & ~(kRflagsFixed | kRflagsIopl), kRflagsBits, kRflagsFixed | kRflagsIopl);
    if (unsigned iopl = unsigned((rflags & kRflagsIopl) >> 12))
        s = s == "none" ? fmt::format("IOPL={}", iopl) : fmt::format("{} IOPL={}", s, iopl);
    return s;
}

std::string describe_cr0(uint64_t cr0) { return bit_names(cr0, kCr0Bits); }
std::string describe_cr4(uint64_t cr4) { return bit_names(cr4, kCr4Bits); }

std::string describe_pte(uint64_t e) {
    if (!(e & kPtePresent)) return e ? fmt::format("not present ({:#x})", e) : "not present";
    return fmt::format("{} addr={}", bit_names(pte_flags(e), kPteBits), hex(pte_addr(e)));
}

std::string describe_pf_error(uint64_t code) {
    std::string s = code & kPfPresent ? "present" : "not-present";
    s += code & kPfInstr ? " ifetch" : code & kPfWrite ? " write" : " read";
    s += code & kPfUser ? " user" : " supervisor";
    if (code & kPfRsvd) s += " rsvd";
    if (code & (1 << 5)) s += " pkey";
    if (code & (1 << 6)) s += " shadow-stack";
    if (code & (1 << 15)) s += " sgx";
    return s;
}

std::string describe_selector_error(uint64_t code) {
    if (code == 0) return "none";
    // Bit 0 EXT: the event was external; bit 1 IDT; bit 2 TI (LDT) when not IDT; index in 15:3.
    uint64_t index = (code >> 3) & 0x1fff;
    std::string s = code & 2       ? fmt::format("IDT vector {}", index)
                    : code & 4     ? fmt::format("LDT index {} ({})", index, hex(index << 3))
                                   : fmt::format("GDT index {} ({})", index, hex(index << 3));
    if (code & 1) s += " (external event)";
    return s;
}

std::string decode_error_code(uint64_t vector, uint64_t code, bool has_code) {
    if (!has_code) return "none";
    if (vector == kVecPF) return hex(code) + " (" + describe_pf_error(code) + ")";
    if (vector == 10 || vector == 11 || vector == 12 || vector == kVecGP || vector == 17)
        return hex(code) + " (" + describe_selector_error(code) + ")";
    return hex(code);
}

}  // namespace lstar::x86
