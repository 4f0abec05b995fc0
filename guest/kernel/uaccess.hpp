// Reading strings and arrays from user memory (compare Linux's strncpy_from_user, get_user). The
// kernel runs without SMAP and the user half is mapped in its page tables, so after a range check
// (user_range_accessible, which also faults pages in) it reads user memory directly.
#pragma once
#include <cstdint>

namespace lstar::kernel {

// Copy the NUL-terminated string at user address src into dst[0..max): its length, -EFAULT, or
// -ENAMETOOLONG when there is no NUL in the first max bytes.
long strncpy_from_user(char* dst, uint64_t src, long max);

// One 64-bit word from user memory: false (-EFAULT for the caller) if it is not readable.
bool get_user_u64(uint64_t addr, uint64_t& out);

}  // namespace lstar::kernel
