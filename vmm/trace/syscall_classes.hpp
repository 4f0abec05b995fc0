// strace's system call classes (`-e trace=%file`, `%memory`, ...; strace(1), "-e trace="): which
// x86-64 calls each one holds. Only the classes strace has; membership follows strace 6's tables
// for the calls of the x86-64 table.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace lstar::trace {

// "%file", "%process", ... in strace's order of documentation.
const std::vector<std::string>& syscall_classes();

// The names of the calls in class `cls` ("%file"; strace's older spelling without the % is taken
// too); empty when there is no such class.
std::vector<std::string_view> syscalls_in_class(std::string_view cls);

}  // namespace lstar::trace
