// Memory management, as little as one process needs: a bump allocator of physical pages
// (memblock.cpp) and 4 KiB user mappings in the boot page tables (pgtable.cpp).
#pragma once
#include <cstdint>

#include "x86/paging.hpp"

namespace lstar::kernel {

// PTI: the user/kernel page-table pair of each process (pti.cpp); false when out of memory.
bool pti_init(bool pcid);

// memblock.cpp: pages from BootInfo's [free_phys_start, free_phys_end). The monitor hands that
// RAM over zero-filled, so a fresh page needs no clearing (which would cost ~1 us per
// instruction here). Returns the physical address, or 0 when RAM is exhausted.
void memblock_init(uint64_t start, uint64_t end);
uint64_t memblock_alloc_page();
uint64_t memblock_alloc(uint64_t size, uint64_t align);  // size bytes at an align boundary (a power of 2)

// pgtable.cpp: map the user page at va to pa with the leaf flags given (kPtePresent | kPteUser
// are implied), creating PDPT/PD/PT pages as needed. False if va is not a user address, RAM ran
// out, or va is already mapped.
bool map_page(uint64_t va, uint64_t pa, uint64_t flags);

// Is every byte of [addr, addr + len) in the user half, and is every page of it mapped present
// and user-accessible (and writable, if write) in the current page tables? A page the process
// may access but has not touched yet is faulted in first (Linux's fault_in / get_user_pages), so
// that the kernel may then access the range directly.
bool access_ok(uint64_t addr, uint64_t len);
bool user_range_accessible(uint64_t addr, uint64_t len, bool write);

// A user PTE that maps a page the process does not own (an initrd or kernel-image page of a file,
// mapped instead of copied): never writable; a write fault copies it first (Linux's COW).
inline constexpr uint64_t kPteSoftShared = 1ull << 9;  // one of the bits the CPU ignores

// pgtable.cpp: the leaf entry of a user page, or nullptr when a table on the way is missing.
uint64_t* pte_lookup(uint64_t va);
// Clear every present user leaf in [start, end) (skipping absent tables) and flush the TLB.
void unmap_range(uint64_t start, uint64_t end);
// Drop the whole user half (execve), and flush.
void clear_user_mappings();
// After a present user PTE changed: the TLB must forget it (invlpg; under PCIDs also the user PCID).
void flush_tlb_one_user(uint64_t va);
void flush_tlb_user();
// pti-pcid: set while the next return to user mode must flush the user PCID; the next kernel
// entry calls user_flush_done() to put NOFLUSH back.
extern bool user_flush_pending;
void user_flush_done();

inline constexpr uint64_t kPageMask = ~(x86::kPageSize - 1);
constexpr uint64_t page_align_down(uint64_t v) { return v & kPageMask; }
constexpr uint64_t page_align_up(uint64_t v) { return (v + x86::kPageSize - 1) & kPageMask; }

}  // namespace lstar::kernel

namespace lstar::kernel {

// mmap.cpp: the process's address space (compare Linux's struct mm_struct, vm_area_struct): a
// small table of areas, populated on demand by the page-fault handler.
inline constexpr uint32_t kVmRead = 1, kVmWrite = 2, kVmExec = 4;   // = PROT_READ/WRITE/EXEC
inline constexpr uint32_t kVmGrowsDown = 0x100, kVmHeap = 0x200, kVmStack = 0x400, kVmShared = 0x800;

struct Vma {
    uint64_t start, end;  // [start, end), page-aligned
    uint32_t flags;       // kVm*
    // Private file mapping: user address `start` shows file byte `file_start`; bytes of the area
    // past file_len (from start) read as zero.
    const unsigned char* file_start;
    uint64_t file_len;
};

struct MmStruct {
    static constexpr unsigned kMaxVmas = 64;
    Vma vma[kMaxVmas];
    unsigned nr_vmas, last_vma;  // vma[0, nr_vmas) in use; last_vma: find_vma's last hit
    uint64_t start_brk, brk;   // the heap: [start_brk, page_align_up(brk))
    uint64_t mmap_base;        // mmap without a hint goes below this, top-down
    uint64_t stack_top;
    uint64_t total_vm, data_vm;  // bytes, for RLIMIT_AS and RLIMIT_DATA
    uint64_t arg_start, arg_end, env_start, env_end;
};
extern MmStruct mm;

Vma* find_vma(uint64_t addr);  // the area containing addr, or nullptr
void mm_reset();               // execve: forget every area
// Insert an area (no overlap checks: callers unmap first). Negative errno on failure.
long insert_vma(uint64_t start, uint64_t end, uint32_t flags, const unsigned char* file_start = nullptr,
                uint64_t file_len = 0);
// Would `bytes` more of an area with `flags` stay inside RLIMIT_AS (and RLIMIT_DATA)?
bool may_expand_vm(uint32_t flags, uint64_t bytes);
long do_munmap(uint64_t start, uint64_t len);
// Resolve a user #PF at addr (error code as the CPU gives it). True: retry the access.
bool handle_mm_fault(uint64_t addr, uint64_t error_code);

}  // namespace lstar::kernel
