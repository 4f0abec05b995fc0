#include "uaccess.hpp"

#include "mm.hpp"
#include "syscall_nr.hpp"

namespace lstar::kernel {

long strncpy_from_user(char* dst, uint64_t src, long max) {
    long n = 0;
    while (n < max) {
        // Check one page at a time: the string may end before a page that is not mapped.
        const uint64_t page_end = page_align_down(src + n) + x86::kPageSize;
        if (!user_range_accessible(src + n, 1, false)) return -err::kEFAULT;
        const char* s = reinterpret_cast<const char*>(src);
        for (; n < max && src + n < page_end; n++)
            if (!(dst[n] = s[n])) return n;
    }
    return -err::kENAMETOOLONG;
}

bool get_user_u64(uint64_t addr, uint64_t& out) {
    if (!user_range_accessible(addr, 8, false)) return false;
    out = *reinterpret_cast<const volatile uint64_t*>(addr);
    return true;
}

}  // namespace lstar::kernel
