// --init NAME: the user programs a kernel image embeds, read from its symbols (user_NAME ..
// user_NAME_end, as guest/meson.build embeds them), so the check needs no second list.
#pragma once
#include <string>
#include <vector>

#include "loader/elf.hpp"

namespace lstar::cli {

// The embedded programs' names, sorted; empty for an image without them (or without symbols).
std::vector<std::string> embedded_programs(const ElfImage& elf);

// The built-in kernel's programs: its ELF is parsed once per process (the help text and the
// --init check both ask), and without building a SymbolTable.
const std::vector<std::string>& builtin_programs();

// Throws UsageError unless `name` is one of the built-in kernel's programs (the error lists them).
void check_builtin_program(const std::string& name);

}  // namespace lstar::cli
