#include <doctest/doctest.h>

#include <string>

#include "boot/gdt.hpp"
#include "cpu/decode.hpp"
#include "x86/descriptor.hpp"
#include "x86/selectors.hpp"

using namespace lstar;
using namespace lstar::x86;
using doctest::Contains;

TEST_CASE("code and data descriptors round-trip") {
    // The values Linux puts in its GDT (arch/x86/kernel/cpu/common.c, GDT_ENTRY_INIT).
    CHECK(code64_descriptor(0) == 0x00af9b000000ffffull);
    CHECK(code32_descriptor(0) == 0x00cf9b000000ffffull);
    CHECK(data_descriptor(0) == 0x00cf93000000ffffull);
    CHECK(code32_descriptor(3) == 0x00cffb000000ffffull);
    CHECK(data_descriptor(3) == 0x00cff3000000ffffull);
    CHECK(code64_descriptor(3) == 0x00affb000000ffffull);

    constexpr uint64_t d = segment_descriptor(0x12345678, 0xabcde, kDescPresent | kDescCodeData | kDescRw, kDescG);
    static_assert(desc_base(d) == 0x12345678);
    static_assert(desc_limit(d) == 0xabcde);
    static_assert(desc_access(d) == (kDescPresent | kDescCodeData | kDescRw));
    static_assert(desc_flags(d) == kDescG);
    static_assert(!desc_system(d) && desc_present(d) && desc_dpl(d) == 0);
    static_assert(desc_dpl(code64_descriptor(3)) == 3 && desc_long(code64_descriptor(3)) && !desc_db(code64_descriptor(3)));
}

TEST_CASE("descriptor decoder names the fields") {
    CHECK(describe_descriptor(code64_descriptor(0)) == "code DPL0 L=1 D=0 G=1 P=1 base=0x0 limit=0xfffff");
    auto user_cs = describe_descriptor(code64_descriptor(3));
    CHECK(user_cs.starts_with("code DPL3"));
    CHECK(user_cs.find("L=1") != std::string::npos);
    auto cs32 = describe_descriptor(code32_descriptor(3));
    CHECK(cs32.find("L=0 D=1") != std::string::npos);
    auto ds = describe_descriptor(data_descriptor(3));
    CHECK(ds.starts_with("data DPL3"));
    CHECK(ds.find("W=1") != std::string::npos);
    CHECK(describe_descriptor(0) == "null");
    auto odd = describe_descriptor(segment_descriptor(0x1000, 0x10, kDescCodeData, 0));
    CHECK(odd.find("P=0") != std::string::npos);
    CHECK(odd.find("base=0x1000 limit=0x10") != std::string::npos);
}

TEST_CASE("TSS descriptor") {
    constexpr uint64_t base = 0xffffffff81234560ull;
    constexpr auto d = tss_descriptor(base, sizeof(Tss64) - 1, kSysTypeTss64Busy);
    static_assert(system_desc_base(d) == base);
    static_assert(desc_limit(d.low) == 0x67);
    static_assert(desc_system(d.low) && desc_type(d.low) == kSysTypeTss64Busy && desc_present(d.low));
    CHECK(describe_system_descriptor(d) == "TSS64 (busy) base=0xffffffff81234560 limit=0x67 P=1 DPL0");
    CHECK(describe_system_descriptor(tss_descriptor(0x5000, 0x67)).starts_with("TSS64 (available) base=0x5000"));
    CHECK(describe_descriptor(d.low).starts_with("TSS64 (busy)"));
}

TEST_CASE("IDT gates") {
    constexpr uint64_t handler = 0xffffffff81001230ull;
    constexpr auto g = idt_gate(handler, kKernelCs, 3, 1);
    static_assert(gate_offset(g) == handler);
    static_assert(gate_selector(g) == kKernelCs);
    static_assert(gate_ist(g) == 1 && gate_dpl(g) == 3 && gate_type(g) == kSysTypeIntGate && gate_present(g));
    CHECK(describe_gate(g) == "interrupt gate sel=0x10 off=0xffffffff81001230 DPL3 IST1 P=1");
    auto trap = describe_gate(idt_gate(0x1000, kKernelCs, 0, 0, kSysTypeTrapGate));
    CHECK(trap.starts_with("trap gate"));
    CHECK(trap.find("DPL0 IST0") != std::string::npos);
    CHECK(describe_gate({0, 0}).find("P=0") != std::string::npos);
}

TEST_CASE("STAR fields and the SYSRET rule") {
    CHECK(kStar == 0x0023001000000000ull);
    CHECK(star_syscall_cs(kStar) == kKernelCs);
    CHECK(star_syscall_ss(kStar) == kKernelDs);
    // SYSRET to 64-bit mode loads CS from STAR[63:48] + 16 and SS from + 8, both with RPL 3.
    CHECK(star_sysret_cs64(kStar) == kUserCs);
    CHECK(star_sysret_ss(kStar) == kUserDs);
    CHECK(star_sysret_cs32(kStar) == kUser32Cs);
    CHECK(describe_star(kStar) == "SYSCALL CS=0x10 SS=0x18; SYSRET CS=0x33 SS=0x2b (32-bit CS=0x23)");
    // The mistake the rule guards against: putting __USER_CS itself in STAR[63:48].
    uint64_t wrong = star_value(kKernelCs, kUserCs);
    CHECK(star_sysret_cs64(wrong) != kUserCs);
    CHECK(describe_star(wrong).find("SYSRET CS=0x43") != std::string::npos);
}

TEST_CASE("the boot GDT has Linux's layout") {
    auto gdt = build_boot_gdt(0xffffffff81400000ull);
    CHECK(gdt[0] == 0);
    CHECK(gdt[kGdtKernel32Cs] == code32_descriptor(0));
    CHECK(gdt[kGdtKernelCs] == code64_descriptor(0));
    CHECK(gdt[kGdtKernelDs] == data_descriptor(0));
    CHECK(gdt[kGdtUser32Cs] == code32_descriptor(3));
    CHECK(gdt[kGdtUserDs] == data_descriptor(3));
    CHECK(gdt[kGdtUserCs] == code64_descriptor(3));
    SystemDescriptor tss{gdt[kGdtTss], gdt[kGdtTss + 1]};
    CHECK(system_desc_base(tss) == 0xffffffff81400000ull);
    CHECK(desc_limit(tss.low) == sizeof(Tss64) - 1);
    CHECK(desc_type(tss.low) == kSysTypeTss64Busy);
    CHECK(desc_present(tss.low));
    // Selectors index the right entries.
    CHECK(desc_long(gdt[kUserCs >> 3]));
    CHECK(desc_dpl(gdt[kUserDs >> 3]) == 3);
    for (unsigned i = kGdtTss + 2; i < kGdtCpunode; ++i) CHECK(gdt[i] == 0);
    CHECK(gdt[kGdtCpunode] == cpunode_descriptor(0, 0));
    CHECK(kCpunodeSel == 0x7b);  // Linux's __CPUNODE_SEG
}

TEST_CASE("CPUNODE descriptor: (node << 12) | cpu in the limit, DPL 3, round-trip") {
    // What Linux 5.x's setup_getcpu() writes for CPU 0, node 0 (type 5, DPL 3, S, P, D).
    CHECK(cpunode_descriptor(0, 0) == 0x0040f50000000000ull);
    constexpr uint64_t d = cpunode_descriptor(37, 5);
    static_assert(cpunode_cpu(d) == 37 && cpunode_node(d) == 5);
    static_assert(desc_limit(d) == ((5u << 12) | 37));
    static_assert(desc_dpl(d) == 3 && desc_present(d) && !desc_system(d) && desc_db(d));
    static_assert(!(desc_flags(d) & kDescG));  // byte granular: LSL returns the limit as stored
    CHECK(describe_descriptor(d) == "data DPL3 W=0 expand-down D=1 G=0 P=1 base=0x0 limit=0x5025");
}
