// The physical page allocator: a bump pointer over the free RAM the monitor describes in
// BootInfo (compare Linux's early memblock allocator). Nothing is ever freed: the run ends first.
#include "mm.hpp"

namespace lstar::kernel {

namespace {
uint64_t next_free, free_end;
}

void memblock_init(uint64_t start, uint64_t end) {
    next_free = page_align_up(start);
    free_end = page_align_down(end);
}

uint64_t memblock_alloc_page() {
    if (next_free == 0 || next_free >= free_end) return 0;
    uint64_t pa = next_free;
    next_free += x86::kPageSize;
    return pa;  // already zero: see mm.hpp
}

}  // namespace lstar::kernel
