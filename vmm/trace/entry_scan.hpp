// Where does the kernel go back to user mode? Follow the entry code's control flow from LSTAR
// with Zydis (conditional and direct jumps; calls are stepped over) and collect every sysretq
// and iretq reachable from it. No help from the guest: only its code bytes.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lstar::trace {

struct ReturnSite {
    uint64_t address;
    std::string insn;  // "sysretq" or "iretq"
};

// read(va, n) returns up to n code bytes at va (fewer at the end of readable memory), or nullopt.
using CodeReader = std::function<std::optional<std::vector<uint8_t>>(uint64_t va, size_t n)>;

// Visits at most max_insns instructions.
std::vector<ReturnSite> find_return_sites(uint64_t entry, const CodeReader& read, unsigned max_insns = 4096);

}  // namespace lstar::trace
