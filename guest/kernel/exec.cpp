// execve(2) and the kernel's own first exec (compare Linux's fs/exec.c: do_execveat_common,
// begin_new_exec, and arch/x86/kernel/process_64.c: start_thread).
#include "exec.hpp"

#include "binfmt.hpp"
#include "cpio_newc.hpp"
#include "events.hpp"
#include "initramfs.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "printk.hpp"
#include "processor.hpp"
#include "signal.hpp"
#include "syscall_nr.hpp"
#include "syscalls.hpp"
#include "uaccess.hpp"
#include "user_programs.hpp"
#include "x86/msr.hpp"
#include "x86/selectors.hpp"

namespace lstar::kernel {

char exe_path[kPathMax];
uint64_t user_fs_base, user_gs_base;  // what arch_prctl set (sys.cpp)

namespace {

ExecArgs exec_args;  // static: 33 KiB would not fit on a 16 KiB kernel stack

void set_comm(const char* path) {
    const char* base = path;
    for (const char* p = path; *p; p++)
        if (*p == '/') base = p + 1;
    unsigned i = 0;
    for (; base[i] && i < kTaskCommLen - 1; i++) current.comm[i] = base[i];
    current.comm[i] = '\0';
}

}  // namespace

ExecArgs& exec_args_buffer() { return exec_args; }

long exec_args_add(ExecArgs& a, const char* s, uint64_t len) {
    if (a.argc + a.envc >= ExecArgs::kMaxStrings || len + 1 > ExecArgs::kSpace - a.used) return -err::kE2BIG;
    a.offset[a.argc + a.envc] = a.used;
    memcpy(a.space + a.used, s, len);
    a.space[a.used + len] = '\0';
    a.used += uint32_t(len + 1);
    return 0;
}

long do_execve(const char* path, ExecArgs& args, UserStart& out) {
    const unsigned char* data;
    uint64_t size;
    char canon[kPathMax];
    uint32_t len;
    const long node = path[0] ? resolve_path(-100, path, true, canon, len) : -err::kENOENT;
    if (node >= 0 && node != kConsoleNode) {
        const InitrdNode& n = initrd_nodes[node];
        if ((n.mode & cpio::kTypeMask) == cpio::kTypeDir) return -err::kEACCES;
        if ((n.mode & cpio::kTypeMask) != cpio::kTypeReg || !(n.mode & 0111)) return -err::kEACCES;
        data = n.data, size = n.size;
    } else if (node == kConsoleNode) {
        return -err::kEACCES;
    } else {
        // Not in the initramfs: a program embedded in the kernel image, by name (init=hello).
        bool has_slash = false;
        for (const char* p = path; *p; p++) has_slash |= *p == '/';
        const UserProgram* prog = has_slash ? nullptr : find_user_program(path);
        if (!prog) return node;
        data = prog->start, size = uint64_t(prog->end - prog->start);
    }
    if (long e = load_elf_binary(data, size, path, args, out)) return e;
    // Past the point of no return: the rest of begin_new_exec.
    close_on_exec();
    flush_signal_handlers();
    if (user_fs_base) wrmsr(x86::kMsrFsBase, 0), user_fs_base = 0;
    if (user_gs_base) wrmsr(x86::kMsrKernelGsBase, 0), user_gs_base = 0;  // the user's GS, swapped out
    set_comm(path);
    unsigned i = 0;
    for (; path[i] && i < kPathMax - 1; i++) exe_path[i] = path[i];
    exe_path[i] = '\0';
    return 0;
}

// The UserEnter event: the monitor learns the program, its entry point and its first stack.
void report_user_enter(const UserStart& start) {
    auto* e = event_prepare<abi::UserEnterEvent>(abi::EventType::UserEnter);
    e->rip = start.entry;
    e->rsp = start.sp;
    e->rflags = 0x202;  // what enter_user_mode loads: IF | the fixed bit
    e->cr3 = user_cr3(read_cr3());
    e->cs = x86::kUserCs;
    e->ss = x86::kUserDs;
    for (unsigned i = 0; i < abi::kNameMax - 1 && current.comm[i]; i++) e->name[i] = current.comm[i];
    event_send();
}

}  // namespace lstar::kernel

using namespace lstar;
using namespace lstar::kernel;

namespace {

// Copy a NULL-terminated user array of strings (argv or envp) into the exec buffer.
long copy_strings(uint64_t uarr, bool env) {
    ExecArgs& a = exec_args_buffer();
    if (!uarr) return 0;  // NULL argv or envp: empty, as Linux allows
    for (uint64_t i = 0;; i++) {
        uint64_t p;
        if (!get_user_u64(uarr + 8 * i, p)) return -err::kEFAULT;
        if (!p) return 0;
        if (a.argc + a.envc >= ExecArgs::kMaxStrings) return -err::kE2BIG;
        const long n = strncpy_from_user(a.space + a.used, p, long(ExecArgs::kSpace - a.used));
        if (n == -err::kENAMETOOLONG) return -err::kE2BIG;
        if (n < 0) return n;
        a.offset[a.argc + a.envc] = a.used;
        a.used += uint32_t(n + 1);
        (env ? a.envc : a.argc)++;
    }
}

}  // namespace

extern "C" long sys_execve(unsigned long ufilename, unsigned long argv, unsigned long envp, unsigned long,
                           unsigned long, unsigned long) {
    char filename[kPathMax];
    const long n = strncpy_from_user(filename, ufilename, kPathMax);
    if (n < 0) return n;
    ExecArgs& a = exec_args_buffer();
    a.used = a.argc = a.envc = 0;
    if (long e = copy_strings(argv, false)) return e;
    if (long e = copy_strings(envp, true)) return e;
    UserStart start;
    if (long e = do_execve(filename, a, start)) return e;
    // start_thread: the syscall's return goes to the new entry point with a fresh register set.
    pt_regs* regs = current_pt_regs;
    memset(regs, 0, offsetof(pt_regs, orig_ax));
    regs->ip = start.entry;
    regs->sp = start.sp;
    regs->cs = x86::kUserCs;
    regs->ss = x86::kUserDs;
    regs->flags = 0x202;  // IF | the fixed bit
    if (guest_events) report_user_enter(start);
    return 0;  // RAX = 0 in the new image
}
