#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "cpu/disasm.hpp"

using namespace lstar::x86;

namespace {

std::optional<Instruction> dis(std::vector<uint8_t> bytes, Syntax syntax = Syntax::Intel, uint64_t rip = 0xffffffff81000000) {
    return disassemble(bytes, rip, syntax);
}

}  // namespace

TEST_CASE("the instructions of a syscall entry") {
    auto swapgs = dis({0x0f, 0x01, 0xf8});
    REQUIRE(swapgs);
    CHECK(swapgs->text == "swapgs");
    CHECK(swapgs->length == 3);

    auto sysret = dis({0x48, 0x0f, 0x07});
    REQUIRE(sysret);
    CHECK(sysret->text == "sysretq");
    CHECK(sysret->length == 3);
    auto sysret32 = dis({0x0f, 0x07});  // to compatibility mode: CS = STAR[63:48]
    REQUIRE(sysret32);
    CHECK(sysret32->text == "sysret");

    auto syscall = dis({0x0f, 0x05});
    REQUIRE(syscall);
    CHECK(syscall->text == "syscall");
    CHECK(syscall->length == 2);

    auto ud2 = dis({0x0f, 0x0b, 0x90, 0x90});  // trailing bytes are not part of it
    REQUIRE(ud2);
    CHECK(ud2->text == "ud2");
    CHECK(ud2->length == 2);
}

TEST_CASE("a gs: load, Intel and AT&T") {
    // mov rsp, gs:[0x8] — how entry_SYSCALL_64 picks up the kernel stack (movq %gs:8, %rsp).
    std::vector<uint8_t> bytes = {0x65, 0x48, 0x8b, 0x24, 0x25, 0x08, 0x00, 0x00, 0x00};
    auto intel = dis(bytes, Syntax::Intel);
    REQUIRE(intel);
    CHECK(intel->length == 9);
    CHECK(intel->text == "mov rsp, qword ptr gs:[0x8]");
    auto att = dis(bytes, Syntax::Att);
    REQUIRE(att);
    CHECK(att->length == 9);
    CHECK(att->text == "movq %gs:0x8, %rsp");
}

TEST_CASE("relative branches use the runtime address") {
    auto call = dis({0xe8, 0x00, 0x00, 0x00, 0x00}, Syntax::Intel, 0x1000);
    REQUIRE(call);
    CHECK(call->text == "call 0x1005");
}

TEST_CASE("bytes that are not an instruction") {
    CHECK_FALSE(dis({}));
    CHECK_FALSE(dis({0x0f}));              // truncated
    CHECK_FALSE(dis({0x48, 0x0f}));        // truncated
    CHECK_FALSE(dis({0x06}));              // push es: invalid in 64-bit mode
    CHECK_FALSE(dis({0x0f, 0xff}));        // ud0 without its ModRM
}
