// strace-style lines for syscalls seen from outside the guest: names and argument kinds for the
// Linux x86-64 table (and the i386 one for int $0x80), strings read from guest memory through
// the page tables (bounded and escaped), errors as "-1 ENOENT (No such file or directory)".
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace lstar::trace {

struct SyscallCall {
    uint64_t nr;
    uint64_t args[6];
    unsigned abi_bits = 64;
};

// Reads user memory: up to n bytes at va, fewer at the end of what is mapped; nullopt if none.
using MemReader = std::function<std::optional<std::vector<uint8_t>>(uint64_t va, size_t n)>;

inline constexpr size_t kStringMax = 32;  // as strace -s 32

// `write(1, "hello\n", 6) = 6`; ret nullopt: the call did not return (exit) -> "= ?". pad_from >= 0:
// the line starts at that column (after a -tt prefix) and " = " is put at column 39, as strace
// lines results up; -1: no padding.
std::string format_syscall(const SyscallCall& c, std::optional<int64_t> ret, const MemReader& read,
                           int pad_from = -1);

// The bytes at va, quoted: up to the NUL (nul_terminated) or len bytes, at most kStringMax; the
// address when unreadable.
std::string quoted_at(const MemReader& read, uint64_t va, size_t len, bool nul_terminated);

// "\"hello\\n\"..." as strace escapes it.
std::string quote_bytes(const std::vector<uint8_t>& bytes, bool truncated);

// "-1 ENOENT (No such file or directory)", or the value: in hex when it is an address (mmap, brk).
std::string format_return(int64_t ret, bool address = false);

}  // namespace lstar::trace
