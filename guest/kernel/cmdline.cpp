// Command-line parsing (compare Linux's init/main.c parse_args and its "--" rule for init).
// One pass over a private copy of the line, cutting it into NUL-terminated tokens in place.
#include "cmdline.hpp"

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

}  // namespace lstar::kernel
