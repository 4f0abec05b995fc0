// A guest WRMSR that the hardware would refuse gets a #GP from lstar too.
#include <doctest/doctest.h>

#include "x86/msr.hpp"
#include "cpu/msr_rules.hpp"

using namespace lstar::x86;

TEST_CASE("the trapped MSRs are the syscall MSRs, the segment bases and SYSENTER, all named") {
    const auto& m = syscall_msrs();
    CHECK(m.size() == 11);
    for (uint32_t i : m) CHECK(msr_name(i) != nullptr);
    CHECK(std::string(msr_name(kMsrLstar)) == "IA32_LSTAR");
    CHECK(msr_name(0x10) == nullptr);
}

TEST_CASE("non-canonical addresses in LSTAR and the bases fault") {
    CHECK(wrmsr_fault(kMsrLstar, 0xffffffff80200240ull, 0, 0) == std::nullopt);
    CHECK(wrmsr_fault(kMsrLstar, 0x0000800000000000ull, 0, 0).value().find("canonical") != std::string::npos);
    CHECK(wrmsr_fault(kMsrKernelGsBase, 0x8000000000000000ull, 0, 0).has_value());
    CHECK(wrmsr_fault(kMsrSysenterEip, 0x1234, 0, 0) == std::nullopt);
    CHECK(wrmsr_fault(kMsrStar, 0xffffffffffffffffull, 0, 0) == std::nullopt);  // STAR has no reserved bits
}

TEST_CASE("EFER: reserved bits fault, LMA is ignored, LME cannot change under paging") {
    CHECK(wrmsr_fault(kMsrEfer, kEferSce | kEferLme | kEferNxe, 0, 0) == std::nullopt);
    CHECK(wrmsr_fault(kMsrEfer, kEferSce | kEferLma, kCr0Pg, kEferLma) == std::nullopt);
    CHECK(wrmsr_fault(kMsrEfer, 1ull << 3, 0, 0).value().find("reserved") != std::string::npos);
    CHECK(wrmsr_fault(kMsrEfer, kEferLme, kCr0Pg | kCr0Pe, 0).value().find("paging") != std::string::npos);
    CHECK(wrmsr_fault(kMsrEfer, kEferLme | kEferSce, kCr0Pg, kEferLme) == std::nullopt);
}

TEST_CASE("FMASK's upper half is reserved") {
    CHECK(wrmsr_fault(kMsrSyscallMask, kSyscallMask, 0, 0) == std::nullopt);
    CHECK(wrmsr_fault(kMsrSyscallMask, 1ull << 32, 0, 0).has_value());
}

TEST_CASE("values are decoded the way the logs print them") {
    CHECK(describe_msr_value(kMsrStar, 0x0023001000000000ull).find("SYSRET CS=0x33") != std::string::npos);
    CHECK(describe_msr_value(kMsrEfer, kEferSce | kEferLme).find("SCE") != std::string::npos);
    CHECK(describe_msr_value(kMsrSyscallMask, kSyscallMask).find("IF") != std::string::npos);
    CHECK(describe_msr_value(kMsrLstar, 0x1234) == "");
    CHECK(msr_holds_address(kMsrLstar));
    CHECK(!msr_holds_address(kMsrStar));
}
