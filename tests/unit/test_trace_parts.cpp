// The pure parts of tracing: finding the return sites in entry code, strace-style formatting,
// exception vector names, DR6/DR7, the patch bookkeeping of software breakpoints (hlt, out).
#include <doctest/doctest.h>

#include <cstring>
#include <map>

#include "memory/guest_memory.hpp"
#include "trace/entry_scan.hpp"
#include "trace/code_patches.hpp"
#include "trace/syscall_format.hpp"
#include "trace/tracer.hpp"
#include "cpu/debug_regs.hpp"

using namespace lstar;
using namespace lstar::trace;

namespace {
// Code at a base address, as the tracer reads it from guest memory.
CodeReader reader_for(uint64_t base, std::vector<uint8_t> code) {
    return [base, code](uint64_t va, size_t n) -> std::optional<std::vector<uint8_t>> {
        if (va < base || va >= base + code.size()) return std::nullopt;
        size_t off = va - base;
        return std::vector<uint8_t>(code.begin() + long(off), code.begin() + long(std::min(code.size(), off + n)));
    };
}
}  // namespace

TEST_CASE("return sites: sysretq on the straight path, iretq behind a conditional branch, calls stepped over") {
    // 0x1000: swapgs; call +0 (to 0x100a); jz +3 (to 0x1011); swapgs; sysretq; iretq
    std::vector<uint8_t> code = {0x0f, 0x01, 0xf8,              // 1000 swapgs
                                 0xe8, 0x00, 0x00, 0x00, 0x00,  // 1003 call 1008
                                 0x74, 0x06,                    // 1008 jz 1010
                                 0x0f, 0x01, 0xf8,              // 100a swapgs
                                 0x48, 0x0f, 0x07,              // 100d sysretq
                                 0x48, 0xcf};                   // 1010 iretq
    auto sites = find_return_sites(0x1000, reader_for(0x1000, code));
    REQUIRE(sites.size() == 2);
    CHECK(sites[0].address == 0x100d);
    CHECK(sites[0].insn == "sysretq");
    CHECK(sites[1].address == 0x1010);
    CHECK(sites[1].insn == "iretq");
}

TEST_CASE("return sites: an unconditional jump is followed, an indirect one is not, loops end") {
    std::vector<uint8_t> code = {0xeb, 0x02,        // 1000 jmp 1004
                                 0xff, 0xe0,        // 1002 jmp rax (never reached)
                                 0xeb, 0xfe};       // 1004 jmp 1004 (a loop)
    CHECK(find_return_sites(0x1000, reader_for(0x1000, code)).empty());
    CHECK(find_return_sites(0x5000, reader_for(0x1000, code)).empty());  // unreadable
}

TEST_CASE("strace-style lines: strings from guest memory, escaped and bounded, errors by name") {
    std::map<uint64_t, std::string> memory = {{0x401000, "hello\n"}, {0x402000, std::string("/etc/x\0", 7)},
                                              {0x403000, std::string(100, 'a')}};
    MemReader read = [&](uint64_t va, size_t n) -> std::optional<std::vector<uint8_t>> {
        auto it = memory.find(va);
        if (it == memory.end()) return std::nullopt;
        std::vector<uint8_t> b(it->second.begin(), it->second.end());
        b.resize(std::min(n, b.size()));
        return b;
    };
    CHECK(format_syscall({1, {1, 0x401000, 6, 0, 0, 0}}, 6, read) == "write(1, \"hello\\n\", 6) = 6");
    CHECK(format_syscall({2, {0x402000, 0, 0, 0, 0, 0}}, -2, read) ==
          "open(\"/etc/x\", O_RDONLY) = -1 ENOENT (No such file or directory)");
    CHECK(format_syscall({1, {1, 0x403000, 100, 0, 0, 0}}, 100, read) ==
          "write(1, \"" + std::string(32, 'a') + "\"..., 100) = 100");
    CHECK(format_syscall({231, {3, 0, 0, 0, 0, 0}}, std::nullopt, read) == "exit_group(3) = ?");
    CHECK(format_syscall({39, {}}, 1, read) == "getpid() = 1");
    CHECK(format_syscall({1, {1, 0x999000, 4, 0, 0, 0}}, -14, read) ==
          "write(1, 0x999000, 4) = -1 EFAULT (Bad address)");
    // i386 numbers for int $0x80: 4 is write there.
    CHECK(format_syscall({4, {1, 0x401000, 6, 0, 0, 0}, 32}, 6, read) == "write(1, \"hello\\n\", 6) = 6");
}

TEST_CASE("quote_bytes escapes like strace") {
    CHECK(quote_bytes({'a', '"', '\\', '\t', 0x1b, 0xff}, false) == "\"a\\\"\\\\\\t\\33\\377\"");
    CHECK(quote_bytes({'x'}, true) == "\"x\"...");
}

TEST_CASE("exception vector lists by name") {
    CHECK(parse_vectors("PF,GP,#UD") == std::vector<unsigned>{14, 13, 6});
    CHECK_THROWS_AS(parse_vectors("PF,XX"), std::invalid_argument);
}

TEST_CASE("DR7 encodes and DR6 decodes the four breakpoints") {
    uint64_t dr7 = x86::dr7_enable(x86::dr7_enable(0, 0), 2, x86::BreakOn::Write, 4);
    CHECK(x86::dr7_enabled(dr7, 0));
    CHECK(!x86::dr7_enabled(dr7, 1));
    CHECK(x86::dr7_break_on(dr7, 2) == x86::BreakOn::Write);
    CHECK(x86::dr7_len(dr7, 2) == 4);
    CHECK(x86::dr7_break_on(dr7, 0) == x86::BreakOn::Execute);
    CHECK(x86::dr6_hit_slot(0xffff0ff1) == 0);  // as this host reports a DR0 hit
    CHECK(x86::dr6_hit_slot(0xffff4ff0) == -1);
    CHECK(x86::dr6_single_step(0xffff4ff0));
}

TEST_CASE("code patches (hlt breakpoints): the guest's byte is kept, put back, shared by aliases, and never clobbers a guest write") {
    GuestMemory mem(0x10000);
    mem.write<uint8_t>(0x1000, 0x0f);  // the first byte of a syscall entry's swapgs
    mem.write<uint8_t>(0x2000, 0x48);
    CodePatches p(mem, kHlt);
    REQUIRE(p.insert(0xffffffff81000000, 0x1000));
    CHECK(mem.read<uint8_t>(0x1000) == kHlt.bytes[0]);
    CHECK(p.patched(0xffffffff81000000));
    CHECK(p.original(0xffffffff81000000) == 0x0f);
    CHECK(p.insert(0xffffffff81000000, 0x1000));  // again: a no-op, the original is not lost
    CHECK(p.size() == 1);

    // Another linear address of the same byte (a trampoline in both page tables): one patch,
    // the guest's byte remembered for both, and put back only when the last one goes.
    REQUIRE(p.insert(0xfffffe0000000000, 0x1000));
    CHECK(p.original(0xfffffe0000000000) == 0x0f);
    p.remove(0xffffffff81000000);
    CHECK(mem.read<uint8_t>(0x1000) == kHlt.bytes[0]);
    p.remove(0xfffffe0000000000);
    CHECK(mem.read<uint8_t>(0x1000) == 0x0f);
    CHECK(p.size() == 0);

    // The guest wrote over the patch while it ran: its byte stays.
    REQUIRE(p.insert(0x2000, 0x2000));
    mem.write<uint8_t>(0x2000, 0x90);
    p.remove_all();
    CHECK(mem.read<uint8_t>(0x2000) == 0x90);

    // Outside guest RAM (a hostile page table can point anywhere): refused, nothing written.
    CHECK_FALSE(p.insert(0x3000, 0x10000));
    CHECK_FALSE(p.insert(0x3000, ~0ull));
    CHECK(p.size() == 0);
    p.remove(0x12345);  // not ours: nothing happens
}

TEST_CASE("code patches (out 0xef, al): two bytes kept and put back; which exits are ours") {
    GuestMemory mem(0x10000);
    const uint8_t swapgs[3] = {0x0f, 0x01, 0xf8};
    for (unsigned i = 0; i < 3; ++i) mem.write<uint8_t>(0x1000 + i, swapgs[i]);
    CodePatches p(mem, kOutBreakpoint);
    REQUIRE(p.insert(0xffffffff81000000, 0x1000));
    CHECK(mem.read<uint8_t>(0x1000) == 0xe6);  // out imm8, al
    CHECK(mem.read<uint8_t>(0x1001) == abi::kPortBreakpoint);
    CHECK(mem.read<uint8_t>(0x1002) == 0xf8);  // the rest of the instruction is untouched
    CHECK(p.original(0xffffffff81000000) == 0x0f);

    auto out = [](uint16_t port, uint64_t rip, bool in = false) {
        VmExit e{exits::Io{port, 1, in, 1, 0, {}}, {}};
        e.cpu.regs.rip = rip;
        return e;
    };
    // KVM reports the OUT with RIP still on it (older KVMs: past it); both are the breakpoint.
    CHECK(p.hit(out(abi::kPortBreakpoint, 0xffffffff81000000)) == 0xffffffff81000000);
    CHECK(p.hit(out(abi::kPortBreakpoint, 0xffffffff81000002)) == 0xffffffff81000000);
    // The guest's own OUT to that port, elsewhere, an IN, another port, a hlt: not ours.
    CHECK_FALSE(p.hit(out(abi::kPortBreakpoint, 0xffffffff81000100)));
    CHECK_FALSE(p.hit(out(abi::kPortBreakpoint, 0xffffffff81000000, true)));
    CHECK_FALSE(p.hit(out(abi::kPortConsole, 0xffffffff81000000)));
    VmExit h{exits::Hlt{}, {}};
    h.cpu.regs.rip = 0xffffffff81000001;
    CHECK_FALSE(p.hit(h));

    // The guest rewrote one of the two bytes meanwhile: both stay as they are now.
    mem.write<uint8_t>(0x1001, 0x90);
    p.remove_all();
    CHECK(mem.read<uint8_t>(0x1000) == 0xe6);
    CHECK(mem.read<uint8_t>(0x1001) == 0x90);

    // Two bytes that would cross a page (the next linear page may be anywhere physically): refused.
    CHECK_FALSE(p.insert(0xffffffff81000fff, 0x2fff));
    CHECK(mem.read<uint8_t>(0x2fff) == 0);
    CHECK(p.size() == 0);
    // And a hlt patch only answers hlt exits one past it.
    CodePatches q(mem, kHlt);
    REQUIRE(q.insert(0x3000, 0x3000));
    VmExit past{exits::Hlt{}, {}};
    past.cpu.regs.rip = 0x3001;
    CHECK(q.hit(past) == 0x3000);
    CHECK_FALSE(q.hit(out(abi::kPortBreakpoint, 0x3000)));
}

TEST_CASE("image_gpa: code the page tables do not map yet is found where the loader put it") {
    // lstar's kernel: .entry.text linked at 0xfffffe0000008000, loaded at 0x20e000 (0x434 bytes).
    std::vector<ElfSegment> segs = {{0xf000, 0xfffffe0000008000, 0x20e000, 0x434, 0x434, 0x1000, 5},
                                    {0x35000, 0xffffffff80235000, 0x235000, 0xf100, 0x2cc6c, 0x1000, 6}};
    CHECK(image_gpa(segs, 0xfffffe0000008310) == 0x20e310);
    CHECK(image_gpa(segs, 0xfffffe0000008434) == std::nullopt);  // past the file bytes
    CHECK(image_gpa(segs, 0xffffffff80244100) == std::nullopt);  // bss: nothing the loader wrote
    CHECK(image_gpa(segs, 0) == std::nullopt);
}
