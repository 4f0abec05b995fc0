// Command-line parsing (compare Linux's init/main.c parse_args and its "--" rule for init).
// One pass over a private copy of the line, cutting it into NUL-terminated tokens in place.
#include "cmdline.hpp"

#include "exec.hpp"
#include "kernel.hpp"
#include "printk.hpp"
#include "resource.hpp"

namespace lstar::kernel {

namespace {

char command_line[boot::kCmdlineMax];

// If tok begins with key, the rest of tok; else nullptr.
const char* param_value(const char* tok, const char* key) {
    while (*key)
        if (*tok++ != *key++) return nullptr;
    return tok;
}

// NAME=VALUE with no dot in NAME: for the program's environment (Linux's unknown_bootoption).
bool is_env(const char* tok) {
    for (const char* p = tok; *p; p++) {
        if (*p == '.') return false;
        if (*p == '=') return p != tok;
    }
    return false;
}

}  // namespace

void parse_cmdline(const char* src, Cmdline& out) {
    out.init = "hello";
    out.crash = nullptr;
    out.entry = "direct";
    out.vsyscall = nullptr;
    out.argc = 1;
    out.envc = 2;
    out.envp[0] = "HOME=/";
    out.envp[1] = "TERM=linux";
    bool after_dashes = false;

    // A bounded copy first: the monitor's line need not be NUL-terminated in time.
    unsigned n = 0;
    while (n < boot::kCmdlineMax - 1 && src[n]) command_line[n] = src[n], n++;
    command_line[n] = '\0';

    for (char* p = command_line; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        char* tok = p;
        while (*p && *p != ' ') p++;
        if (*p) *p++ = '\0';

        if (after_dashes) {
            if (out.argc < kMaxArgs) out.argv[out.argc++] = tok;
            else pr_err("init: too many arguments, %s dropped", tok);
        } else if (tok[0] == '-' && tok[1] == '-' && tok[2] == '\0') {
            after_dashes = true;
        } else if (const char* v = param_value(tok, "init=")) {
            out.init = v;
        } else if (const char* v = param_value(tok, "lstar.crash=")) {
            out.crash = v;
        } else if (const char* v = param_value(tok, "lstar.entry=")) {
            out.entry = v;
        } else if (const char* v = param_value(tok, "vsyscall=")) {
            out.vsyscall = v;
        } else if (const char* v = param_value(tok, "lstar.rlimit.")) {
            if (!rlimit_from_cmdline(v)) pr_err("%s: not understood (lstar.rlimit.NAME=SOFT:HARD)", tok);
        } else if (is_env(tok)) {
            if (out.envc < kMaxEnv) out.envp[out.envc++] = tok;
        }
    }
    out.argv[0] = out.init;
    out.argv[out.argc] = nullptr;
}

bool args_from_block(const boot::BootInfo& bi, ExecArgs& out, const char*& path) {
    if (!bi.args_phys) return false;
    const uint64_t room = boot::kArgsMax - sizeof(boot::ArgsHeader);
    if (bi.args_phys > bi.ram_bytes || bi.ram_bytes - bi.args_phys < boot::kArgsMax) {
        pr_err("init: the argument block at %lx lies outside RAM; using the command line", bi.args_phys);
        return false;
    }
    const auto* h = phys_to_virt<const boot::ArgsHeader>(bi.args_phys);
    const boot::ArgsHeader hdr = *h;  // read once: the counts checked are the counts used
    if (hdr.magic != boot::kArgsMagic || hdr.argc < 1 || hdr.size > room) {
        pr_err("init: bad argument block (magic %x, argc %u, %u bytes); using the command line", hdr.magic,
               hdr.argc, hdr.size);
        return false;
    }
    const char* s = reinterpret_cast<const char*>(h + 1);
    out.used = out.argc = out.envc = 0;
    uint32_t at = 0;
    for (uint32_t i = 0; i < hdr.argc + hdr.envc; i++) {
        uint32_t len = 0;
        while (at + len < hdr.size && s[at + len]) len++;
        if (at + len >= hdr.size) {
            pr_err("init: the argument block ends inside string %u; using the command line", i);
            return false;
        }
        if (long e = exec_args_add(out, s + at, len)) {
            pr_err("init: the arguments do not fit the exec buffer (error %ld)", e);
            return false;
        }
        (i < hdr.argc ? out.argc : out.envc)++;
        at += len + 1;
    }
    path = out.space + out.offset[0];
    return true;
}

}  // namespace lstar::kernel
