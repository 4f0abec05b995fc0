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

uint64_t memblock_alloc_page() { return memblock_alloc(x86::kPageSize, x86::kPageSize); }

uint64_t memblock_alloc(uint64_t size, uint64_t align) {
    const uint64_t pa = (next_free + align - 1) & ~(align - 1);
    if (next_free == 0 || pa >= free_end || free_end - pa < size) return 0;
    next_free = pa + size;
    return pa;  // already zero: see mm.hpp (a skipped gap is simply never used)
}

}  // namespace lstar::kernel
