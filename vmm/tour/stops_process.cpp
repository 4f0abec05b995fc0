// Stops 11-12: a process. What execve builds, and how open and the rlimits meet the file table
// and the address space.
#include <sstream>

#include "tour/cite.hpp"
#include "tour/stop.hpp"

namespace lstar::tour {

namespace {

std::string enter_line(const Json& u) {
    return format("{} entered ring 3 at RIP={} RSP={} CS={} SS={} RFLAGS={} CR3={}", text(u, "program"), text(u, "rip"),
                  text(u, "rsp"), text(u, "cs"), text(u, "ss"), text(u, "rflags"), text(u, "cr3"));
}

Answer execve(Runs& runs) {
    const Run& r = runs.get("exec_args");
    const auto enters = r.events("user_enter");
    const Json& first = need(enters.empty() ? Json() : enters.front(), "a user_enter event");
    const Json& ex = need(r.syscall_enter("execve"), "exec_args's execve");
    const Json& second = need(enters.size() > 1 ? enters[1] : Json(), "the new image's user_enter event");
    Answer a;
    a.evidence.push_back(enter_line(first));
    std::istringstream out(r.out);
    size_t auxv = 0;
    bool replaced = false;
    for (std::string l; std::getline(out, l);) {
        replaced = replaced || l.rfind("execve", 0) == 0;
        if (l.rfind("AT_", 0) == 0 && !replaced) ++auxv;
        if (l.rfind("argc", 0) == 0 || l.rfind("argv", 0) == 0 || l.rfind("AT_ENTRY", 0) == 0 ||
            l.rfind("AT_PAGESZ", 0) == 0 || l.rfind("execve", 0) == 0)
            a.evidence.push_back("  stdout: " + l);
    }
    a.evidence.push_back(format("execve(path={}, argv={}, envp={}) at {}", str(ex["args"][0]), str(ex["args"][1]),
                                str(ex["args"][2]), door_insn_at(ex)));
    a.evidence.push_back(enter_line(second));
    std::string first_call;
    for (const auto& e : r.events("syscall_enter")) {
        first_call = text(e, "name");
        break;
    }
    a.text = format(
        "A new image and a new stack, then a return to user mode as if from an interrupt: the kernel entered {} at "
        "its ELF entry point RIP={} with RSP={}, CS={}, SS={}, RFLAGS={} (what start_thread_common() writes into "
        "pt_regs), and on that stack it had put argc, argv, envp and the auxiliary vector ({} AT_ entries printed). "
        "execve at {} then replaced the image: the new one started again at RIP={} with a fresh RSP={}, in the same "
        "process. A program's first system call is its own ({} here); `strace ls` shows execve first because strace "
        "forks before it starts tracing, and the traced child's first call is the execve that loads ls.",
        text(first, "program"), text(first, "rip"), text(first, "rsp"), text(first, "cs"), text(first, "ss"),
        text(first, "rflags"), auxv, door_insn_at(ex), text(second, "rip"), text(second, "rsp"), first_call);
    return a;
}

Answer files(Runs& runs) {
    const Run& nf = runs.get("nofile");
    const Run& mem = runs.get("memlimit");
    std::vector<int64_t> fds;
    int64_t refused = 0, again = -1;
    for (const auto& e : nf.events("syscall_exit")) {
        if (e.value("nr", -1) != 2) continue;  // open
        const int64_t r = signed_ret(e);
        if (r >= 0 && !refused) fds.push_back(r);
        else if (r >= 0 && again < 0) again = r;
        else if (r < 0 && !fds.empty() && !refused) refused = r;
    }
    if (fds.empty() || !refused || again < 0) throw Missing("nofile's opens, the one the limit refused and the one after close");
    size_t brks = 0;
    int64_t mmap_ret = 0;
    for (const auto& e : mem.events("syscall_exit")) {
        brks += e.value("nr", -1) == 12;
        if (e.value("nr", -1) == 9) mmap_ret = signed_ret(e);
    }
    std::string list;
    for (auto f : fds) list += (list.empty() ? "" : ", ") + std::to_string(f);
    Answer a;
    a.evidence = {
        format("nofile: kernel command line \"{}\"", text(nf.setup(), "cmdline")),
        format("  open() returned {} in turn, then {} (-EMFILE); after close(3), {}", list, refused, again),
        "  stdout: " + out_line(nf, "RLIMIT_NOFILE"), "  stdout: " + out_line(nf, "close(3)"),
        format("memlimit: kernel command line \"{}\"", text(mem.setup(), "cmdline")),
        format("  {} brk calls; mmap returned {} (-ENOMEM)", brks, mmap_ret), "  stdout: " + out_line(mem, "brk grew"),
    };
    a.text = format(
        "open() goes through sys_call_table[2] to do_sys_open(), which takes the lowest free slot of the process's "
        "file table: nofile got {} in turn. RLIMIT_NOFILE is checked there, at allocation: with the limit at 8 "
        "(fds 0-7) the next open got {}, and after close(3) the next open got {} again. RLIMIT_AS is checked where "
        "the address space grows: memlimit's {} brk calls stopped short of 64 MiB and its mmap got {}.",
        list, refused, again, brks, mmap_ret);
    return a;
}

}  // namespace

std::vector<Stop> process_stops() {
    return {
        {"execve", "What does execve build: the ELF segments, the initial stack, auxv? Why is `strace ls`'s first "
                   "call not fork?",
         "`strace ls` 指令的时候，为什么第一条syscall 不是fork / start_thread_common", {"exec_args"}, execve,
         "Linux fs/exec.c do_execveat_common(), fs/binfmt_elf.c load_elf_binary() and create_elf_tables(), "
         "arch/x86/kernel/process_64.c start_thread_common(); System V AMD64 ABI 3.4.1 (initial stack); "
         "lstar docs/processes.md",
         {}},
        {"files", "How does `open` reach the file table? How are rlimits enforced?",
         "How does the open system call work / Limits on resources in Linux (the notes' empty sections)",
         {"nofile", "memlimit"}, files,
         "Linux fs/open.c do_sys_open(), fs/file.c alloc_fd(), mm/mmap.c may_expand_vm(), kernel/sys.c "
         "do_prlimit(); lstar docs/processes.md (--rlimit)",
         {}},
    };
}

}  // namespace lstar::tour
