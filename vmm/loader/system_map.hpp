// Linux's symbols as text: a System.map or a /proc/kallsyms dump ("ffffffff81e00080 T
// entry_SYSCALL_64"; kallsyms' "[module]" lines, absolute symbols and x86-64's per-CPU offsets
// skipped), for `--symbols FILE` (docs/linux-symbols.md). Pure.
#pragma once
#include <string>
#include <vector>

#include "loader/elf.hpp"

namespace lstar {

// Throws BadImage naming the line that does not parse, or a file with no usable address:
// Debian's /boot/System.map-* is a one-line stub ("The real System.map is in the
// linux-image-<version>-dbg package"), and /proc/kallsyms read without CAP_SYSLOG shows zeros.
std::vector<ElfSymbol> parse_system_map(const std::string& text, const std::string& name);

// The same symbols moved by slide (KASLR: where the kernel runs minus where it was linked).
std::vector<ElfSymbol> slide_symbols(std::vector<ElfSymbol> symbols, uint64_t slide);

}  // namespace lstar
