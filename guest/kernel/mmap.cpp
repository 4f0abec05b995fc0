// The process's address space (compare Linux's mm/mmap.c, mm/mprotect.c, mm/memory.c): areas in a
// small table, pages created on first touch. brk, mmap, munmap and mprotect only edit the table
// (and drop or re-flag pages already there); the page-fault handler fills a page when the program
// (or the kernel, through user_range_accessible) first touches it: fresh zero RAM for anonymous
// memory, the file's own initrd page when it is page-aligned and the area read-only or not yet
// written, a private copy otherwise (and on the first write to a shared page: copy-on-write).
// Nothing is freed: the run ends first, and reused pages would need clearing (~1 us per
// instruction in ring 0 here).
#include "fs.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "printk.hpp"
#include "processor.hpp"
#include "resource.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"
#include "x86/exceptions.hpp"

namespace lstar::kernel {

MmStruct mm;

namespace {

constexpr uint64_t kPage = x86::kPageSize;
constexpr uint64_t kMmapMin = 0x10000;  // Linux's mmap_min_addr default
constexpr unsigned long kProtRead = 1, kProtWrite = 2, kProtExec = 4;
constexpr unsigned long kMapShared = 1, kMapPrivate = 2, kMapSharedValidate = 3, kMapFixed = 0x10,
                        kMapAnonymous = 0x20, kMapFixedNoreplace = 0x100000;
constexpr long kEEXIST = 17, kEACCES = 13, kENODEV = 19;

bool is_data(uint32_t f) { return (f & kVmWrite) && !(f & (kVmShared | kVmStack)); }

void account(const Vma& v, int sign) {
    const uint64_t n = v.end - v.start;
    mm.total_vm += sign > 0 ? n : -n;
    if (is_data(v.flags)) mm.data_vm += sign > 0 ? n : -n;
}

uint64_t pte_flags_for(uint32_t f) {
    return ((f & kVmWrite) ? x86::kPteWrite : 0) | ((f & kVmExec) ? 0 : x86::kPteNx);
}

// The areas in use are vma[0, nr_vmas): every scan is as short as the table is full (each ring-0
// instruction costs ~1 us here).
Vma* free_slot() { return mm.nr_vmas < MmStruct::kMaxVmas ? &mm.vma[mm.nr_vmas++] : nullptr; }

void compact() {
    unsigned n = 0;
    for (unsigned i = 0; i < mm.nr_vmas; i++)
        if (mm.vma[i].end) mm.vma[n++] = mm.vma[i];
    mm.nr_vmas = n;
    mm.last_vma = 0;
}

// Cut the area containing `at` in two at `at` (a page boundary). False if there is no free slot.
bool split_at(uint64_t at) {
    Vma* v = find_vma(at);
    if (!v || v->start == at) return true;
    Vma* n = free_slot();
    if (!n) return false;
    *n = *v;
    const uint64_t off = at - v->start;
    n->start = at;
    n->file_start = v->file_start ? v->file_start + off : nullptr;
    n->file_len = v->file_len > off ? v->file_len - off : 0;
    v->end = at;
    if (v->file_len > off) v->file_len = off;
    return true;
}

bool range_free(uint64_t start, uint64_t end) {
    for (unsigned i = 0; i < mm.nr_vmas; i++)
        if (mm.vma[i].start < end && start < mm.vma[i].end) return false;
    return true;
}

// Linux's get_unmapped_area, top-down from mmap_base.
uint64_t get_unmapped_area(uint64_t len) {
    uint64_t top = mm.mmap_base;
    for (;;) {
        if (top < len || top - len < kMmapMin || top - len < page_align_up(mm.brk)) return 0;
        const uint64_t start = top - len;
        uint64_t lowest = top;
        for (unsigned i = 0; i < mm.nr_vmas; i++) {
            const Vma& v = mm.vma[i];
            if (v.start < top && start < v.end && v.start < lowest) lowest = v.start;
        }
        if (lowest == top) return start;
        top = lowest;
    }
}

// The stack area grows down on a fault below it, up to RLIMIT_STACK (Linux's expand_stack).
Vma* expand_stack(uint64_t addr) {
    for (unsigned i = 0; i < mm.nr_vmas; i++) {
        Vma& v = mm.vma[i];
        if (!(v.flags & kVmGrowsDown) || addr >= v.start) continue;
        const uint64_t lim = rlimit(kRlimitStack);
        const uint64_t new_start = page_align_down(addr);
        if (lim != kRlimInfinity && v.end - new_start > lim) return nullptr;
        if (!range_free(new_start, v.start) || !may_expand_vm(v.flags, v.start - new_start)) return nullptr;
        mm.total_vm += v.start - new_start;
        v.start = new_start;
        return &v;
    }
    return nullptr;
}

[[noreturn]] void oom() {
    pr_err("Out of memory: killed process %d (%s)", current.pid, current.comm);
    do_exit(128 + 9);  // SIGKILL, as the OOM killer
}

}  // namespace

Vma* find_vma(uint64_t addr) {
    // The last hit first (Linux's vmacache): faults come in runs on the same area.
    if (mm.last_vma < mm.nr_vmas) {
        Vma& v = mm.vma[mm.last_vma];
        if (v.start <= addr && addr < v.end) return &v;
    }
    for (unsigned i = 0; i < mm.nr_vmas; i++)
        if (mm.vma[i].start <= addr && addr < mm.vma[i].end) return &mm.vma[mm.last_vma = i];
    return nullptr;
}

void mm_reset() {
    mm.nr_vmas = mm.last_vma = 0;
    mm.total_vm = mm.data_vm = 0;
}

long insert_vma(uint64_t start, uint64_t end, uint32_t flags, const unsigned char* file_start, uint64_t file_len) {
    Vma* v = free_slot();
    if (!v) return -err::kENOMEM;  // Linux's max_map_count, at our table's size
    *v = {start, end, flags, file_start, file_len};
    account(*v, +1);
    return 0;
}

bool may_expand_vm(uint32_t flags, uint64_t bytes) {
    if (mm.total_vm + bytes > rlimit(kRlimitAs) || mm.total_vm + bytes < bytes) return false;
    if (is_data(flags) && mm.data_vm + bytes > rlimit(kRlimitData)) return false;
    return true;
}

long do_munmap(uint64_t start, uint64_t len) {
    if ((start & ~kPageMask) || !len || !access_ok(start, len)) return -err::kEINVAL;
    const uint64_t end = page_align_up(start + len);
    if (!split_at(start) || !split_at(end)) return -err::kENOMEM;
    for (unsigned i = 0; i < mm.nr_vmas; i++) {
        Vma& v = mm.vma[i];
        if (start <= v.start && v.end <= end) account(v, -1), v.end = 0;
    }
    compact();
    unmap_range(start, end);
    return 0;
}

bool handle_mm_fault(uint64_t addr, uint64_t error_code) {
    if (addr >= boot::kUserMax) return false;
    Vma* v = find_vma(addr);
    if (!v) v = expand_stack(addr);
    if (!v) return false;
    const bool write = error_code & x86::kPfWrite, exec = error_code & x86::kPfInstr;
    if ((write && !(v->flags & kVmWrite)) || (exec && !(v->flags & kVmExec)) ||
        !(v->flags & (kVmRead | kVmWrite | kVmExec)))
        return false;  // SIGSEGV: the area does not allow this access (or is PROT_NONE)
    const uint64_t va = page_align_down(addr);
    const uint64_t off = va - v->start;  // of this page in the area
    uint64_t* pte = pte_lookup(va);
    if (pte && (*pte & x86::kPtePresent)) {
        if (!write) return false;
        if (*pte & kPteSoftShared) {  // copy-on-write of a page mapped from the file
            const uint64_t pa = memblock_alloc_page();
            if (!pa) oom();
            memcpy(phys_to_virt<void>(pa), phys_to_virt<void>(x86::pte_addr(*pte)), kPage);
            *pte = x86::pte(pa, pte_flags_for(v->flags) | x86::kPtePresent | x86::kPteUser);
        } else if (!(*pte & x86::kPteWrite)) {
            *pte |= x86::kPteWrite;  // mprotect made the area writable after the page was mapped
        } else {
            return false;
        }
        flush_tlb_one_user(va);
        return true;
    }
    // The bytes of this page that come from the file, if any.
    const uint64_t from_file = off < v->file_len ? (v->file_len - off < kPage ? v->file_len - off : kPage) : 0;
    if (from_file == kPage && !(virt_to_phys(v->file_start + off) & ~kPageMask)) {
        // A whole, page-aligned file page: map it, read-only, instead of copying it.
        if (!map_page(va, virt_to_phys(v->file_start + off),
                      (v->flags & kVmExec ? 0 : x86::kPteNx) | kPteSoftShared))
            oom();
        if (write) return handle_mm_fault(addr, error_code | x86::kPfPresent);
        return true;
    }
    const uint64_t pa = memblock_alloc_page();  // already zero (mm.hpp)
    if (!pa) oom();
    if (from_file) memcpy(phys_to_virt<void>(pa), v->file_start + off, from_file);
    if (!map_page(va, pa, pte_flags_for(v->flags))) oom();
    return true;
}

}  // namespace lstar::kernel

using namespace lstar;
using namespace lstar::kernel;

extern "C" long sys_brk(unsigned long brk, unsigned long, unsigned long, unsigned long, unsigned long,
                        unsigned long) {
    if (brk < mm.start_brk || brk >= boot::kUserMax) return long(mm.brk);
    const uint64_t old_end = page_align_up(mm.brk), new_end = page_align_up(brk);
    if (new_end < old_end) {
        do_munmap(new_end, old_end - new_end);
    } else if (new_end > old_end) {
        if (!range_free(old_end, new_end) || !may_expand_vm(kVmRead | kVmWrite, new_end - old_end))
            return long(mm.brk);  // Linux: brk() fails by returning the old break
        Vma* heap = old_end > mm.start_brk ? find_vma(old_end - 1) : nullptr;
        if (heap && (heap->flags & kVmHeap)) {
            account(*heap, -1);
            heap->end = new_end;
            account(*heap, +1);
        } else if (insert_vma(old_end, new_end, kVmRead | kVmWrite | kVmHeap)) {
            return long(mm.brk);
        }
    }
    mm.brk = brk;
    return long(brk);
}

extern "C" long sys_mmap(unsigned long addr, unsigned long len, unsigned long prot, unsigned long flags,
                         unsigned long fd, unsigned long off) {
    const unsigned long type = flags & 3;
    if (!len || (off & ~kPageMask) || (type != kMapShared && type != kMapPrivate && type != kMapSharedValidate))
        return -err::kEINVAL;
    if (len > boot::kUserMax) return -err::kENOMEM;
    len = page_align_up(len);
    uint32_t vmf = uint32_t(prot & (kProtRead | kProtWrite | kProtExec));
    const unsigned char* file = nullptr;
    uint64_t file_len = 0;
    if (!(flags & kMapAnonymous)) {
        const unsigned char* data;
        uint64_t size;
        if (long e = file_for_mmap(fd, data, size)) return e == -err::kEINVAL ? -kENODEV : e;
        // The initrd is read-only: a shared writable mapping would need write access to the file.
        if (type != kMapPrivate && (prot & kProtWrite)) return -kEACCES;
        file = data + (off < size ? off : size);
        file_len = off < size ? size - off : 0;
    }
    // One process, no fork: MAP_SHARED anonymous memory behaves as private memory would.
    if (flags & (kMapFixed | kMapFixedNoreplace)) {
        if ((addr & ~kPageMask) || !access_ok(addr, len) || addr < kMmapMin) return -err::kEINVAL;
        if (!range_free(addr, addr + len)) {
            if (flags & kMapFixedNoreplace) return -kEEXIST;
            if (long e = do_munmap(addr, len)) return e;
        }
    } else if (!addr || (addr & ~kPageMask) || addr < kMmapMin || !access_ok(addr, len) ||
               !range_free(addr, addr + len)) {
        addr = get_unmapped_area(len);  // the hint is taken only when it is free, as Linux does
        if (!addr) return -err::kENOMEM;
    }
    if (!may_expand_vm(vmf, len)) return -err::kENOMEM;
    if (long e = insert_vma(addr, addr + len, vmf, file, file_len)) return e;
    return long(addr);
}

extern "C" long sys_munmap(unsigned long addr, unsigned long len, unsigned long, unsigned long, unsigned long,
                           unsigned long) {
    return do_munmap(addr, len);
}

extern "C" long sys_mprotect(unsigned long start, unsigned long len, unsigned long prot, unsigned long,
                             unsigned long, unsigned long) {
    if ((start & ~kPageMask) || (prot & ~(kProtRead | kProtWrite | kProtExec | 0x03000000ul))) return -err::kEINVAL;
    if (!len) return 0;
    if (!access_ok(start, len)) return -err::kENOMEM;
    const uint64_t end = page_align_up(start + len);
    for (uint64_t a = start; a < end;) {  // every page must belong to an area
        Vma* v = find_vma(a);
        if (!v) return -err::kENOMEM;
        a = v->end;
    }
    if (!split_at(start) || !split_at(end)) return -err::kENOMEM;
    for (unsigned i = 0; i < mm.nr_vmas; i++) {
        Vma& v = mm.vma[i];
        if (v.start < start || v.end > end) continue;
        account(v, -1);
        v.flags = (v.flags & ~(kVmRead | kVmWrite | kVmExec)) | uint32_t(prot & 7);
        account(v, +1);
        for (uint64_t va = v.start; va < v.end; va += kPage) {  // pages already there follow
            uint64_t* pte = pte_lookup(va);
            if (!pte || !*pte) continue;
            uint64_t e = (*pte & ~(x86::kPteWrite | x86::kPteNx)) | x86::kPteNx | x86::kPtePresent;
            if (!(prot & 7)) e &= ~x86::kPtePresent;  // PROT_NONE: kept, but not present (Linux's PROTNONE)
            if (prot & kProtExec) e &= ~x86::kPteNx;
            if ((prot & kProtWrite) && !(e & kPteSoftShared)) e |= x86::kPteWrite;  // shared: COW on write
            *pte = e;
        }
    }
    flush_tlb_user();
    return 0;
}
