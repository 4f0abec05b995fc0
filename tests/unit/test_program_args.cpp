// The first program's argv and envp: what the command line asks for, the argument block's bytes
// (shared/boot_protocol.hpp ArgsHeader) and the kernel command line without the arguments.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "boot/kernel_cmdline.hpp"
#include "boot_protocol.hpp"
#include "common/error.hpp"

using namespace lstar;

TEST_CASE("program arguments: with an initrd the first word after -- is the program, the rest stay whole") {
    CmdlineRequest r{"", "", {"/bin/busybox", "sh", "-c", "echo a; echo b"}, true, std::nullopt, {}};
    auto p = program_args(r, {"A=b c"});
    REQUIRE(p);
    CHECK(p->argv == std::vector<std::string>{"/bin/busybox", "sh", "-c", "echo a; echo b"});
    CHECK(p->envp == std::vector<std::string>{"HOME=/", "TERM=linux", "A=b c"});
    // Without an initrd the program is --init's (default hello) and every word is an argument.
    CmdlineRequest b{"", "", {"7"}, false, std::nullopt, {}};
    CHECK(program_args(b, {})->argv == std::vector<std::string>{"hello", "7"});
    // --append says it all: no block, and no --env beside it.
    CmdlineRequest a{"init=hello -- 1", "", {}, false, std::nullopt, {}};
    CHECK(!program_args(a, {}));
    CHECK_THROWS_AS(program_args(a, {"X=1"}), UsageError);
    CHECK_THROWS_AS(program_args(b, {"NOEQUALS"}), UsageError);
    CHECK_THROWS_AS(program_args(b, {"=value"}), UsageError);
}

TEST_CASE("the argument block: header, then argc + envc NUL-terminated strings, byte for byte") {
    ProgramArgs p{{"/bin/args", "two  words", "", "caf\xc3\xa9\n\xff"}, {"HOME=/", "Q='\""}};
    auto block = encode_args_block(p);
    boot::ArgsHeader h;
    REQUIRE(block.size() >= sizeof h);
    std::memcpy(&h, block.data(), sizeof h);
    CHECK(h.magic == boot::kArgsMagic);
    CHECK(h.argc == 4);
    CHECK(h.envc == 2);
    const std::string strings(reinterpret_cast<const char*>(block.data() + sizeof h), block.size() - sizeof h);
    CHECK(h.size == strings.size());
    CHECK(strings == std::string("/bin/args\0two  words\0\0caf\xc3\xa9\n\xff\0HOME=/\0Q='\"\0", 42));
    // Too long for the block, or a NUL inside a string: refused by name.
    ProgramArgs big{{"/bin/x", std::string(boot::kArgsMax, 'x')}, {}};
    CHECK_THROWS_WITH_AS(encode_args_block(big), doctest::Contains("argument block holds"), UsageError);
    ProgramArgs nul{{"/bin/x", std::string("a\0b", 3)}, {}};
    CHECK_THROWS_AS(encode_args_block(nul), UsageError);
}

TEST_CASE("the kernel command line keeps the keys and drops the arguments the block carries") {
    CHECK(cmdline_without_args("init=/bin/sh -- -c echo a; echo b") == "init=/bin/sh");
    CHECK(cmdline_without_args("lstar.rlimit.nofile=8:8 init=/bin/x --") == "lstar.rlimit.nofile=8:8 init=/bin/x");
    CHECK(cmdline_without_args("-- 7") == "");
    CHECK(cmdline_without_args("init=hello") == "init=hello");
}
