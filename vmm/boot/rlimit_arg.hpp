// --rlimit RESOURCE=SOFT[:HARD] (as prlimit(1)'s --nofile=SOFT:HARD): the first program's resource
// limits, handed to the kernel as the command-line key lstar.rlimit.NAME=SOFT:HARD.
#pragma once
#include <stdexcept>
#include <string>

namespace lstar {

// "NOFILE=8" -> "lstar.rlimit.nofile=8:8"; "AS=64M:1G" -> "lstar.rlimit.as=67108864:1073741824".
// Values: decimal with an optional K/M/G suffix (powers of 1024), or "unlimited". A single value
// sets both limits. Throws std::invalid_argument for an unknown resource, a bad number, or
// soft > hard.
std::string rlimit_cmdline_param(const std::string& arg);

}  // namespace lstar
