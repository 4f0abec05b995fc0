#include <doctest/doctest.h>

#include <string>

#include "cpu/decode.hpp"
#include "x86/exceptions.hpp"
#include "x86/msr.hpp"
#include "x86/paging.hpp"

using namespace lstar::x86;

TEST_CASE("EFER") {
    CHECK(describe_efer(kEferSce | kEferLme | kEferLma | kEferNxe) == "SCE LME LMA NXE");
    CHECK(describe_efer(0) == "none");
    CHECK(describe_efer(kEferLme | 1ull << 40) == "LME other=0x10000000000");
}

TEST_CASE("RFLAGS and the syscall mask") {
    CHECK(describe_rflags(0x2) == "none");
    CHECK(describe_rflags(0x202) == "IF");
    CHECK(describe_rflags(0x246) == "PF ZF IF");
    CHECK(describe_rflags(kSyscallMask) == "TF IF DF NT AC IOPL=3");
    CHECK(describe_rflags(kRflagsIopl | kRflagsFixed) == "IOPL=3");
    CHECK(describe_rflags(1ull << 12 | kRflagsFixed) == "IOPL=1");
    CHECK(describe_rflags(kRflagsFixed | 1ull << 40) == "other=0x10000000000");
}

TEST_CASE("CR0 and CR4") {
    CHECK(describe_cr0(kCr0Pe | kCr0Mp | kCr0Et | kCr0Ne | kCr0Wp | kCr0Am | kCr0Pg) == "PE MP ET NE WP AM PG");
    CHECK(describe_cr0(0x60000010) == "ET NW CD");  // the reset value
    CHECK(describe_cr4(kCr4Pae | kCr4Pge | kCr4Osfxsr | kCr4Osxmmexcpt) == "PAE PGE OSFXSR OSXMMEXCPT");
    CHECK(describe_cr4(kCr4Pcide) == "PCIDE");
}

TEST_CASE("page-table entries and #PF error codes") {
    CHECK(describe_pte(pte(0x200000, kPtePresent | kPteWrite | kPteLarge | kPteGlobal | kPteNx)) ==
          "P W PS G NX addr=0x200000");
    CHECK(describe_pte(pte(0x5000, kPtePresent | kPteUser)) == "P U addr=0x5000");
    CHECK(describe_pte(0) == "not present");
    CHECK(describe_pte(0x5000).starts_with("not present"));
    CHECK(describe_pf_error(kPfPresent | kPfWrite | kPfUser) == "present write user");
    CHECK(describe_pf_error(0) == "not-present read supervisor");
    CHECK(describe_pf_error(kPfPresent | kPfInstr) == "present ifetch supervisor");
    CHECK(describe_pf_error(kPfPresent | kPfRsvd) == "present read supervisor rsvd");
}

TEST_CASE("selector error codes") {
    CHECK(describe_selector_error(0) == "none");
    CHECK(describe_selector_error(0x30) == "GDT index 6 (0x30)");
    CHECK(describe_selector_error(13 << 3 | 2) == "IDT vector 13");
    CHECK(describe_selector_error(0x34) == "LDT index 6 (0x30)");
    CHECK(describe_selector_error(0x31) == "GDT index 6 (0x30) (external event)");
}

TEST_CASE("canonical addresses") {
    CHECK(is_canonical(0));
    CHECK(is_canonical(0x00007fffffffffffull));
    CHECK_FALSE(is_canonical(0x0000800000000000ull));
    CHECK_FALSE(is_canonical(0x8000000000000000ull));
    CHECK_FALSE(is_canonical(0xffff7fffffffffffull));
    CHECK(is_canonical(0xffff800000000000ull));
    CHECK(is_canonical(0xffffffff80000000ull));
    CHECK(is_canonical(~0ull));
}

TEST_CASE("exception vector table") {
    CHECK(std::string(kVectors[kVecPF].mnemonic) == "#PF");
    CHECK(kVectors[kVecPF].error_code);
    CHECK(kVectors[kVecGP].error_code);
    CHECK_FALSE(kVectors[kVecUD].error_code);
    CHECK(kVectors[kVecDF].error_code);
}
