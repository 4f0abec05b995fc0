// The console's input: fd 0 of the first program reads the monitor's stdin (console.cpp).
#pragma once
#include <cstdint>

namespace lstar::kernel {

// Block until the monitor has bytes or end of file: the count (0 at EOF) or a negative errno.
long console_read(uint64_t ubuf, uint64_t count);

}  // namespace lstar::kernel
