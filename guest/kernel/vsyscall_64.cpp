// The legacy vsyscall page (compare Linux's arch/x86/entry/vsyscall/vsyscall_64.c).
//
// Before the vDSO, glibc called gettimeofday/time/getcpu at fixed addresses in the top page of
// the address space: the same address in every process, executable code, a gift to exploits. Linux
// now never runs that code. vsyscall= says what a call does:
//
//   emulate  the page is mapped user-readable and NX. A call is an instruction fetch from an NX
//            page: #PF (error P|U|I). The #PF handler recognises the three entry points, runs the
//            system call, and "executes the ret": RIP = the return address popped from the user
//            stack. Reading the page works and shows the legacy code (vsyscall_emu_64.S).
//   xonly    (Linux's default) the page is not mapped: a call is a not-present #PF (U|I), emulated
//            the same way; a read is a plain segfault.
//   none     not mapped and not emulated: a call is a segfault, with a log line naming the address.
//
// Only calls to the exact entry points are emulated: a jump to any other byte of the page is a
// "misaligned vsyscall" and a segfault, as in Linux.
//
// The page lives in PML4 slot 511, which holds the kernel image. Linux's set_vsyscall_pgtable_user_bits:
// the U bit goes on every level of the path to the vsyscall PTE, i.e. on PML4[511] too; the kernel
// image stays supervisor-only because its PDPT entry (510) has no U bit (the CPU ANDs the levels).
// With PTI the user page table gets its own PDPT for slot 511 with only the vsyscall path in it
// (Linux's pti_setup_vsyscall), so the kernel image is not even mapped there.
#include "kernel.hpp"
#include "mm.hpp"
#include "option_names.hpp"
#include "printk.hpp"
#include "processor.hpp"
#include "string.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"
#include "time.hpp"

extern "C" const unsigned char __vsyscall_page[];  // vsyscall_emu_64.S

namespace lstar::kernel {

vdso::VsyscallMode vsyscall_mode = vdso::VsyscallMode::Xonly;

namespace {

using namespace x86;

constexpr uint64_t kPfWrite = 1 << 1, kPfUser = 1 << 2, kPfInstr = 1 << 4;  // X86_PF_*
constexpr uint64_t kTableFlags = kPtePresent | kPteWrite | kPteUser;

uint64_t* table_at(uint64_t entry_or_phys) { return phys_to_virt<uint64_t>(pte_addr(entry_or_phys)); }

// The table entry e points to, made present (a fresh zeroed page) if it was not.
uint64_t* next_table(uint64_t& e) {
    if (!(e & kPtePresent)) {
        const uint64_t page = memblock_alloc_page();
        if (!page) return nullptr;
        e = pte(page, kTableFlags);
    }
    e |= kPteUser;
    return table_at(e);
}

// addr_to_vsyscall_nr: 0, 1, 2 for the entry points, -1 for any other address.
int addr_to_vsyscall_nr(uint64_t addr) {
    if ((addr & ~0xc00ull) != vdso::kVsyscallAddr) return -1;
    const int nr = int((addr & 0xc00) >> 10);
    return nr >= 3 ? -1 : nr;
}

void warn_bad_vsyscall(const pt_regs* regs, const char* message) {
    pr_info("%s[%d] %s ip:%lx cs:%lx sp:%lx ax:%lx si:%lx di:%lx", current.comm, current.pid, message, regs->ip,
            regs->cs, regs->sp, regs->ax, regs->si, regs->di);
}

bool write_ok(uint64_t ptr, uint64_t size) { return !ptr || user_range_accessible(ptr, size, true); }

}  // namespace

bool map_vsyscall(const char* mode) {
    vsyscall_mode = abi::kVsyscallDefault;
    if (mode) {
        bool known = false;
        for (const auto& m : abi::kVsyscallModes)
            if (lib::streq(mode, m.name)) vsyscall_mode = m.value, known = true;
        if (!known) pr_err("vsyscall=%s: unknown (emulate, xonly, none); using xonly", mode);
    }
    if (vsyscall_mode != vdso::VsyscallMode::Emulate) return true;

    // PML4[511] -> PDPT[511] -> PD[507] -> PT[0] -> the page: U on every level, NX on the leaf.
    const uint64_t va = vdso::kVsyscallAddr;
    uint64_t* pml4 = table_at(current_pgd_phys);
    uint64_t* pdpt = next_table(pml4[pt_index(va, 4)]);
    uint64_t* pd = pdpt ? next_table(pdpt[pt_index(va, 3)]) : nullptr;
    uint64_t* pt = pd ? next_table(pd[pt_index(va, 2)]) : nullptr;
    if (!pt) return false;
    pt[pt_index(va, 1)] = pte(virt_to_phys(__vsyscall_page), kPtePresent | kPteUser | kPteNx);
    if (pti_on()) {  // the user PGD (+4 KiB): its own PDPT for slot 511, holding only this path
        uint64_t& user_e = pml4[512 + pt_index(va, 4)];
        uint64_t* user_pdpt = next_table(user_e);
        if (!user_pdpt) return false;
        user_pdpt[pt_index(va, 3)] = pdpt[pt_index(va, 3)];
    }
    write_cr3(read_cr3());  // PML4[511] was cached without U: flush (no global entries on this path)
    return true;
}

bool emulate_vsyscall(unsigned long error_code, pt_regs* regs, unsigned long address) {
    if ((address & kPageMask) != vdso::kVsyscallAddr) return false;
    // Write faults and kernel-mode faults are never fixed up.
    if ((error_code & (kPfWrite | kPfUser)) != kPfUser) return false;
    if (!(error_code & kPfInstr)) {
        if (vsyscall_mode != vdso::VsyscallMode::Emulate)
            warn_bad_vsyscall(regs, "vsyscall read attempt denied -- look up the vsyscall kernel parameter if you need a workaround");
        return false;
    }
    if (vsyscall_mode == vdso::VsyscallMode::None) {
        warn_bad_vsyscall(regs, "vsyscall attempted with vsyscall=none");
        return false;
    }
    const int vsyscall_nr = addr_to_vsyscall_nr(address);
    if (vsyscall_nr < 0) {
        warn_bad_vsyscall(regs, "misaligned vsyscall (exploit attempt or buggy program) -- look up the vsyscall kernel parameter if you need a workaround");
        return false;
    }
    if (!user_range_accessible(regs->sp, 8, false)) {
        warn_bad_vsyscall(regs, "vsyscall with bad stack (exploit attempt?)");
        return false;
    }
    const uint64_t caller = *reinterpret_cast<const uint64_t*>(regs->sp);

    long ret;
    switch (vsyscall_nr) {
    case 0:  // gettimeofday(tv, tz)
        if (!write_ok(regs->di, 16) || !write_ok(regs->si, 8)) goto fault;
        ret = sys_gettimeofday(regs->di, regs->si, 0, 0, 0, 0);
        break;
    case 1:  // time(tloc)
        if (!write_ok(regs->di, 8)) goto fault;
        ret = sys_time(regs->di, 0, 0, 0, 0, 0);
        break;
    default:  // getcpu(cpu, node, cache)
        if (!write_ok(regs->di, 4) || !write_ok(regs->si, 4)) goto fault;
        ret = sys_getcpu(regs->di, regs->si, 0, 0, 0, 0);
        break;
    }
    regs->ax = uint64_t(ret);
    regs->ip = caller;  // emulate the `ret`
    regs->sp += 8;
    return true;
fault:
    warn_bad_vsyscall(regs, "vsyscall fault (exploit attempt?)");
    return false;
}

}  // namespace lstar::kernel
