#include "gdb/registers.hpp"

#include <algorithm>
#include <cstring>

#include "gdb/rsp.hpp"

namespace lstar::gdb {

namespace {

enum class Feature { Core, Segments, System };

struct Reg {
    const char* name;
    unsigned bits;
    const char* type;
    const char* group;  // nullptr: gdb's default for the type
    Feature feature;
};

// clang-format off
constexpr Reg kRegs[] = {
    {"rax", 64, "int64", nullptr, Feature::Core}, {"rbx", 64, "int64", nullptr, Feature::Core},
    {"rcx", 64, "int64", nullptr, Feature::Core}, {"rdx", 64, "int64", nullptr, Feature::Core},
    {"rsi", 64, "int64", nullptr, Feature::Core}, {"rdi", 64, "int64", nullptr, Feature::Core},
    {"rbp", 64, "data_ptr", nullptr, Feature::Core}, {"rsp", 64, "data_ptr", nullptr, Feature::Core},
    {"r8", 64, "int64", nullptr, Feature::Core}, {"r9", 64, "int64", nullptr, Feature::Core},
    {"r10", 64, "int64", nullptr, Feature::Core}, {"r11", 64, "int64", nullptr, Feature::Core},
    {"r12", 64, "int64", nullptr, Feature::Core}, {"r13", 64, "int64", nullptr, Feature::Core},
    {"r14", 64, "int64", nullptr, Feature::Core}, {"r15", 64, "int64", nullptr, Feature::Core},
    {"rip", 64, "code_ptr", nullptr, Feature::Core}, {"eflags", 32, "i386_eflags", nullptr, Feature::Core},
    {"cs", 32, "int32", nullptr, Feature::Core}, {"ss", 32, "int32", nullptr, Feature::Core},
    {"ds", 32, "int32", nullptr, Feature::Core}, {"es", 32, "int32", nullptr, Feature::Core},
    {"fs", 32, "int32", nullptr, Feature::Core}, {"gs", 32, "int32", nullptr, Feature::Core},
    {"st0", 80, "i387_ext", nullptr, Feature::Core}, {"st1", 80, "i387_ext", nullptr, Feature::Core},
    {"st2", 80, "i387_ext", nullptr, Feature::Core}, {"st3", 80, "i387_ext", nullptr, Feature::Core},
    {"st4", 80, "i387_ext", nullptr, Feature::Core}, {"st5", 80, "i387_ext", nullptr, Feature::Core},
    {"st6", 80, "i387_ext", nullptr, Feature::Core}, {"st7", 80, "i387_ext", nullptr, Feature::Core},
    {"fctrl", 32, "int", "float", Feature::Core}, {"fstat", 32, "int", "float", Feature::Core},
    {"ftag", 32, "int", "float", Feature::Core}, {"fiseg", 32, "int", "float", Feature::Core},
    {"fioff", 32, "int", "float", Feature::Core}, {"foseg", 32, "int", "float", Feature::Core},
    {"fooff", 32, "int", "float", Feature::Core}, {"fop", 32, "int", "float", Feature::Core},
    {"fs_base", 64, "int", nullptr, Feature::Segments}, {"gs_base", 64, "int", nullptr, Feature::Segments},
    {"cr0", 64, "uint64", "system", Feature::System}, {"cr2", 64, "uint64", "system", Feature::System},
    {"cr3", 64, "uint64", "system", Feature::System}, {"cr4", 64, "uint64", "system", Feature::System},
    {"efer", 64, "uint64", "system", Feature::System},
    {"kernel_gs_base", 64, "uint64", "system", Feature::System},
};
// clang-format on
constexpr int kCount = int(sizeof kRegs / sizeof kRegs[0]);
constexpr int kRip = 16, kEflags = 17, kCs = 18;
static_assert(kCount == 48);

// The selector of cs ss ds es fs gs, in the core feature's order.
kvm_segment kvm_sregs::*const kSegs[] = {&kvm_sregs::cs, &kvm_sregs::ss, &kvm_sregs::ds,
                                       &kvm_sregs::es, &kvm_sregs::fs, &kvm_sregs::gs};

// The 64-bit value behind a register that has one (x87 placeholders have none: they read 0).
// __u64, not uint64_t: the kvm structures' own type (unsigned long long).
__u64* slot(Machine& m, int n) {
    static_assert(sizeof(kvm_regs) >= 18 * 8);
    kvm_regs& r = m.regs;
    __u64* gprs[] = {&r.rax, &r.rbx, &r.rcx, &r.rdx, &r.rsi, &r.rdi, &r.rbp, &r.rsp,
                        &r.r8,  &r.r9,  &r.r10, &r.r11, &r.r12, &r.r13, &r.r14, &r.r15};
    if (n < 16) return gprs[n];
    if (n == kRip) return &r.rip;
    if (n == kEflags) return &r.rflags;
    switch (n) {
    case 40: return &m.sregs.fs.base;
    case 41: return &m.sregs.gs.base;
    case 42: return &m.sregs.cr0;
    case 43: return &m.sregs.cr2;
    case 44: return &m.sregs.cr3;
    case 45: return &m.sregs.cr4;
    case 46: return &m.sregs.efer;
    case 47: return &m.kernel_gs_base;
    }
    return nullptr;
}

uint64_t value_of(const Machine& m, int n) {
    if (n >= kCs && n < kCs + 6) return (m.sregs.*kSegs[n - kCs]).selector;
    auto* p = slot(const_cast<Machine&>(m), n);
    return p ? *p : 0;
}

std::string xml_feature(Feature f, const char* name, const char* types) {
    std::string s = std::string("  <feature name=\"") + name + "\">\n" + types;
    for (int i = 0; i < kCount; ++i) {
        if (kRegs[i].feature != f) continue;
        s += "    <reg name=\"" + std::string(kRegs[i].name) + "\" bitsize=\"" + std::to_string(kRegs[i].bits) +
             "\" type=\"" + kRegs[i].type + "\" regnum=\"" + std::to_string(i) + "\"";
        if (kRegs[i].group) s += std::string(" group=\"") + kRegs[i].group + "\"";
        s += "/>\n";
    }
    return s + "  </feature>\n";
}

}  // namespace

int register_count() { return kCount; }
unsigned register_size(int regno) { return kRegs[regno].bits / 8; }

std::vector<uint8_t> read_register(const Machine& m, int n) {
    std::vector<uint8_t> out(register_size(n), 0);
    uint64_t v = value_of(m, n);
    std::memcpy(out.data(), &v, std::min<size_t>(out.size(), 8));  // x86 is little-endian, as gdb expects
    return out;
}

bool write_register(Machine& m, int n, std::span<const uint8_t> bytes) {
    if (n < 0 || n >= kCount || bytes.size() != register_size(n)) return false;
    uint64_t v = 0;
    std::memcpy(&v, bytes.data(), std::min<size_t>(bytes.size(), 8));
    __u64* p = slot(m, n);
    if (!p || (n == kEflags && (v >> 32))) {
        // Read-only: accept only the value it already has (a 'G' packet rewrites everything).
        bool zero_tail = bytes.size() <= 8 || std::all_of(bytes.begin() + 8, bytes.end(), [](uint8_t b) { return !b; });
        return v == value_of(m, n) && zero_tail;
    }
    if (n == kEflags) v |= *p & ~0xffffffffull;
    if (*p == v) return true;
    *p = v;
    if (n <= kEflags) m.regs_dirty = true;
    else if (n == 47) m.kernel_gs_base_dirty = true;
    else m.sregs_dirty = true;
    return true;
}

std::string g_packet_hex(const Machine& m) {
    std::string s;
    for (int i = 0; i < kCount; ++i) {
        auto b = read_register(m, i);
        s += rsp::to_hex(b.data(), b.size());
    }
    return s;
}

bool apply_g_packet(Machine& m, std::span<const uint8_t> bytes) {
    Machine copy = m;  // all or nothing
    size_t off = 0;
    for (int i = 0; i < kCount; ++i) {
        unsigned len = register_size(i);
        if (off + len > bytes.size()) return false;
        if (!write_register(copy, i, bytes.subspan(off, len))) return false;
        off += len;
    }
    m = copy;
    return true;
}

std::string target_xml() {
    // The flags type gdb's own 64bit-core.xml defines for eflags, so `p $eflags` prints [ ZF IF ].
    static const char* eflags_type =
        "    <flags id=\"i386_eflags\" size=\"4\">\n"
        "      <field name=\"CF\" start=\"0\" end=\"0\"/><field name=\"\" start=\"1\" end=\"1\"/>\n"
        "      <field name=\"PF\" start=\"2\" end=\"2\"/><field name=\"AF\" start=\"4\" end=\"4\"/>\n"
        "      <field name=\"ZF\" start=\"6\" end=\"6\"/><field name=\"SF\" start=\"7\" end=\"7\"/>\n"
        "      <field name=\"TF\" start=\"8\" end=\"8\"/><field name=\"IF\" start=\"9\" end=\"9\"/>\n"
        "      <field name=\"DF\" start=\"10\" end=\"10\"/><field name=\"OF\" start=\"11\" end=\"11\"/>\n"
        "      <field name=\"NT\" start=\"14\" end=\"14\"/><field name=\"RF\" start=\"16\" end=\"16\"/>\n"
        "      <field name=\"VM\" start=\"17\" end=\"17\"/><field name=\"AC\" start=\"18\" end=\"18\"/>\n"
        "      <field name=\"VIF\" start=\"19\" end=\"19\"/><field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
        "      <field name=\"ID\" start=\"21\" end=\"21\"/>\n"
        "    </flags>\n";
    return "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
           "  <architecture>i386:x86-64</architecture>\n" +
           xml_feature(Feature::Core, "org.gnu.gdb.i386.core", eflags_type) +
           xml_feature(Feature::Segments, "org.gnu.gdb.i386.segments", "") +
           xml_feature(Feature::System, "org.lstar.x86.system", "") + "</target>\n";
}

}  // namespace lstar::gdb
