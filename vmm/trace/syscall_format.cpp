#include "trace/syscall_format.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <string_view>
#include <utility>

#include "common/json.hpp"
#include "common/syscall_names.hpp"
#include "linux_uapi.hpp"
#include "trace/syscall_decode.hpp"

namespace lstar::trace {

namespace {

// Argument kinds, one character each: d = int, D = a signed 64-bit value (off_t), u = unsigned,
// I = an ioctl request, x = hex / pointer,
// s = NUL-terminated string, b = buffer whose length is the next argument (input),
// o = buffer filled by the call, length = the return value (output), p = a string filled by the
// call (getcwd), G = bytes filled by the call, in hex (getrandom). Decoded (trace/syscall_decode.hpp):
// F = a directory fd (AT_FDCWD), O = open flags, m = the mode, printed only when the open flags
// before it create a file, a = AT_* flags, P = mmap prot, M = mmap flags, X = an offset in hex,
// C = a clock id, A = an arch_prctl code (Y: its address, or the value ARCH_GET_* wrote), R = an rlimit resource, t / T = struct timespec in / out,
// L / l = struct rlimit in / out, S = struct stat out, g = getrandom flags, W = lseek whence,
// c = an fcntl command (f: its argument), e = O_CLOEXEC-style flags (dup3, pipe2), n = a signal,
// K / k = struct sigaction in / out, H = sigprocmask's how, Q / q = a signal set in / out,
// U = a uid or gid (-1: unchanged), J = mount flags, j = mount's fstype (argument 2) or data (4): a
// string unless the flags bind, move, change propagation (or remount: fstype), B = umount2 flags,
// z = clock_nanosleep flags, & = renameat2 flags, # = a mode with its file type (mknod), v = mknod's
// device, only for a device's mode before it, w = a wait status out, read when the call returned a
// pid, y = wait options, r = struct rusage out (after a w: only with a pid returned), < = getrusage's
// who, i = waitid's id type, h = siginfo out, 0 = two fds out (pipe), * = gids out, as many as
// returned, % = struct tms out, $ = struct sysinfo out, ^ = struct statfs out, 2 = utimensat's two
// timespecs, ( = struct timeval in, [ = struct pollfd array (length: the next argument), { = an
// fd_set of the first argument's size, ~ = pselect6's {sigmask, size}, @ = access's mode,
// = = struct utsname out. Whole calls, their arguments depending on each other
// (trace/syscall_decode_proc.cpp, _fs.cpp): V = clone, N = prctl, E = reboot, Z = socket.
// Outputs (T, l, S, p, o, G, w, r, h, 0, *, %, $, ^, =) are read after the call, and only when it
// succeeded, as strace does.
const std::map<std::string_view, std::string_view>& kinds() {
    static const std::map<std::string_view, std::string_view> k = {
        {"read", "dou"},        {"write", "dbu"},        {"open", "sOm"},         {"openat", "FsOm"},
        {"close", "d"},         {"stat", "sS"},          {"lstat", "sS"},         {"fstat", "dS"},
        {"newfstatat", "FsSa"}, {"lseek", "dDW"},        {"mmap", "xuPMdX"},      {"mprotect", "xuP"},
        {"munmap", "xu"},       {"brk", "x"},            {"ioctl", "dIx"},        {"pread64", "douD"},
        {"pwrite64", "dbuD"},   {"readv", "dxd"},        {"writev", "dxd"},       {"access", "s@"},
        {"getpid", ""},         {"getppid", ""},         {"gettid", ""},          {"getuid", ""},
        {"geteuid", ""},        {"getgid", ""},          {"getegid", ""},         {"exit", "d"},
        {"exit_group", "d"},    {"execve", "sxx"},       {"uname", "="},          {"arch_prctl", "AY"},
        {"getdents64", "dxu"},  {"readlink", "sou"},     {"readlinkat", "Fsou"},  {"getrandom", "Gug"},
        {"clock_gettime", "CT"}, {"clock_getres", "CT"}, {"gettimeofday", "xx"},  {"time", "x"},
        {"set_tid_address", "x"}, {"set_robust_list", "xu"}, {"prlimit64", "dRLl"}, {"getrlimit", "Rl"},
        {"setrlimit", "RL"},    {"rseq", "xXdX"},        {"getcpu", "xxx"},       {"sched_getaffinity", "dux"},
        {"chdir", "s"},         {"fchdir", "d"},         {"getcwd", "pu"},        {"mkdir", "sm"},
        {"unlink", "s"},        {"dup", "d"},            {"dup2", "dd"},          {"dup3", "dde"},
        {"nanosleep", "tx"},    {"kill", "dn"},          {"fcntl", "dcf"},        {"rt_sigaction", "nKku"},
        {"rt_sigprocmask", "HQqu"}, {"faccessat", "Fs@"}, {"faccessat2", "Fs@a"}, {"pipe2", "0e"},
        // The calls of an init and busybox.
        {"mount", "ssjJj"},     {"umount2", "sB"},       {"sync", ""},            {"syncfs", "d"},
        {"reboot", "E"},        {"wait4", "dwyr"},       {"waitid", "idhyr"},     {"clone", "V"},
        {"clone3", "xu"},       {"fork", ""},            {"vfork", ""},           {"clock_nanosleep", "Cztx"},
        {"prctl", "N"},         {"rt_sigreturn", ""},    {"sethostname", "bu"},   {"getpgrp", ""},
        {"setpgid", "dd"},      {"getpgid", "d"},        {"setsid", ""},          {"getsid", "d"},
        {"umask", "m"},         {"sysinfo", "$"},        {"statfs", "s^"},        {"fstatfs", "d^"},
        {"chroot", "s"},        {"mknod", "s#v"},        {"mknodat", "Fs#v"},     {"rename", "ss"},
        {"renameat", "FsFs"},   {"renameat2", "FsFs&"},  {"symlink", "ss"},       {"symlinkat", "sFs"},
        {"link", "ss"},         {"linkat", "FsFsa"},     {"unlinkat", "Fsa"},     {"mkdirat", "Fsm"},
        {"fchmod", "dm"},       {"fchmodat", "Fsm"},     {"chmod", "sm"},         {"fchown", "dUU"},
        {"chown", "sUU"},       {"lchown", "sUU"},       {"fchownat", "FsUUa"},   {"poll", "[ud"},
        {"ppoll", "[utQu"},     {"select", "d{{{("},     {"pselect6", "d{{{t~"},  {"sched_yield", ""},
        {"getdents", "dxu"},    {"socket", "Z"},         {"pause", ""},           {"alarm", "u"},
        {"setuid", "U"},        {"setgid", "U"},         {"getgroups", "d*"},     {"truncate", "su"},
        {"ftruncate", "du"},    {"utimensat", "Fs2a"},   {"sendfile", "ddxu"},    {"pipe", "0"},
        {"tgkill", "ddn"},      {"tkill", "dn"},         {"getrusage", "<r"},     {"times", "%"},
    };
    return k;
}

}  // namespace

std::string quoted_at(const MemReader& read, uint64_t va, size_t len, bool nul_terminated) {
    size_t want = std::min(len, kStringMax);
    auto bytes = read(va, nul_terminated ? kStringMax + 1 : want);
    if (!bytes) return hex(va);
    if (nul_terminated) {
        auto nul = std::find(bytes->begin(), bytes->end(), uint8_t(0));
        bool truncated = nul == bytes->end();
        bytes->erase(truncated ? bytes->begin() + std::min(bytes->size(), kStringMax) : nul, bytes->end());
        return quote_bytes(*bytes, truncated);
    }
    bool truncated = len > bytes->size();
    return quote_bytes(*bytes, truncated);
}

namespace {

// getrandom's bytes, every one as \xNN (strace prints them so).
std::string hex_bytes_at(const MemReader& read, uint64_t va, size_t len) {
    auto bytes = read(va, std::min(len, kStringMax));
    if (!bytes) return hex(va);
    std::string s = "\"";
    for (uint8_t c : *bytes) {
        char h[8];
        std::snprintf(h, sizeof h, "\\x%02x", unsigned(c));
        s += h;
    }
    return s + "\"" + (len > bytes->size() ? "..." : "");
}

}  // namespace

std::string quote_bytes(const std::vector<uint8_t>& bytes, bool truncated) {
    std::string s = "\"";
    for (size_t i = 0; i < bytes.size(); ++i) {
        const uint8_t c = bytes[i];
        switch (c) {
        case '\n': s += "\\n"; break;
        case '\t': s += "\\t"; break;
        case '\r': s += "\\r"; break;
        case '"': s += "\\\""; break;
        case '\\': s += "\\\\"; break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                s += char(c);
            } else {
                char o[8];
                // The shortest octal, unless a digit follows (then three digits), as strace.
                const bool digit_next = i + 1 < bytes.size() && bytes[i + 1] >= '0' && bytes[i + 1] <= '7';
                std::snprintf(o, sizeof o, digit_next ? "\\%03o" : "\\%o", unsigned(c));
                s += o;
            }
        }
    }
    s += '"';
    if (truncated) s += "...";
    return s;
}

std::string format_return(int64_t ret, bool address) {
    if (ret < 0 && ret > -4096) {
        int e = int(-ret);
        const std::string name = errno_name(e);
        return "-1 " + (name.empty() ? "E" + std::to_string(e) : name) + " (" + std::strerror(e) + ")";
    }
    if (address) return hex(uint64_t(ret));  // mmap, brk: addresses, in hex as strace prints them
    return std::to_string(ret);
}

namespace {

bool returns_address(std::string_view name) { return name == "mmap" || name == "brk" || name == "mremap"; }


// fcntl's third argument, as its command wants it; nullopt: the command takes none.
std::optional<std::string> fcntl_arg(uint64_t cmd, uint64_t a) {
    switch (cmd & 0xffffffff) {
    case uapi::F_GETFD: case uapi::F_GETFL: case uapi::F_GETOWN: return std::nullopt;
    case uapi::F_SETFD: return a == uapi::FD_CLOEXEC ? std::string("FD_CLOEXEC") : std::to_string(int32_t(a));
    case uapi::F_SETFL: return open_flags(a);
    case uapi::F_GETLK: case uapi::F_SETLK: case uapi::F_SETLKW: return a ? hex(a) : std::string("NULL");
    default: return std::to_string(int32_t(a));
    }
}

// What strace adds after some results: poll's ready fds, select's ready sets, the time left.
std::string return_note(std::string_view call, const uint64_t* a, int64_t ret, const MemReader& read) {
    if (call == "poll" || call == "ppoll") {
        std::string note = poll_note(read, a[0], a[1] & 0xffffffff, ret);
        if (call == "ppoll" && ret > 0 && a[2]) note += ", left " + timespec_at(read, a[2]);
        return note;
    }
    if (call == "select" || call == "pselect6") return select_note(read, a, ret, call == "pselect6");
    if (call == "prctl") return prctl_note(a, ret);
    return "";
}

}  // namespace

std::string format_syscall(const SyscallCall& c, std::optional<int64_t> ret, const MemReader& read, int pad_from) {
    const char* name = c.abi_bits == 32 ? syscall_name32(c.nr) : syscall_name(c.nr);
    std::string s = name ? name : "syscall_" + std::to_string(c.nr);
    auto it = name ? kinds().find(name) : kinds().end();
    std::string_view k = it != kinds().end() ? it->second : std::string_view("xxxxxx");
    const bool ok = ret && (*ret >= 0 || *ret <= -4096);  // the call succeeded: its outputs are worth reading
    // The arguments as the kernel reads them: int $0x80's are 32 bits, and i386's clone puts tls
    // before child_tid.
    uint64_t args[6];
    for (int i = 0; i < 6; ++i) args[i] = c.abi_bits == 32 ? c.args[i] & 0xffffffff : c.args[i];
    if (c.abi_bits == 32 && name && std::string_view(name) == "clone") std::swap(args[3], args[4]);
    s += '(';
    bool first = true;
    for (size_t i = 0; i < k.size() && i < 6; ++i) {
        uint64_t a = c.args[i];
        if (c.abi_bits == 32) a &= 0xffffffff;
        std::string v;
        // These structures are laid out as x86-64's (longs of 64 bits); i386's get their address.
        if (c.abi_bits == 32 && std::string_view("rh%$^2(~").find(k[i]) != std::string_view::npos) {
            s += (first ? "" : ", ") + (a ? hex(a) : std::string("NULL"));
            first = false;
            continue;
        }
        switch (k[i]) {
        case 'd': v = std::to_string(int32_t(a)); break;  // an int: the kernel reads the low 32 bits
        case 'D': v = std::to_string(int64_t(a)); break;
        case 'I': v = ioctl_request(a); break;
        case 'u': v = std::to_string(a); break;
        case 's': v = a ? quoted_at(read, a, kStringMax, true) : "NULL"; break;
        case 'b': v = quoted_at(read, a, i + 1 < 6 ? c.args[i + 1] : 0, false); break;
        case 'o': v = ok && *ret > 0 ? quoted_at(read, a, size_t(*ret), false) : (a ? hex(a) : "NULL"); break;
        case 'p': v = ok && a ? quoted_at(read, a, kStringMax, true) : (a ? hex(a) : "NULL"); break;
        case 'G': v = ok && *ret > 0 ? hex_bytes_at(read, a, size_t(*ret)) : (a ? hex(a) : "NULL"); break;
        case 'F': v = dirfd(a); break;
        case 'O': v = open_flags(a); break;
        case 'm':
            if (i > 0 && k[i - 1] == 'O' && !open_takes_mode(c.args[i - 1])) continue;
            v = file_mode(a);
            break;
        case 'a': v = at_flags(a); break;
        case 'P': v = mmap_prot(a); break;
        case 'M': v = mmap_flags(a); break;
        case 'X': v = a ? hex(a) : "0"; break;
        case 'C': v = clock_id(a); break;
        case 'A': v = arch_prctl_code(a); break;
        case 'Y': {  // arch_prctl's address: ARCH_GET_FS and ARCH_GET_GS fill it ("[0x4c83c0]")
            const uint64_t code = c.args[i - 1] & 0xffffffff;
            if (code == uapi::ARCH_GET_FS || code == uapi::ARCH_GET_GS) {
                auto w = ok && a ? read(a, 8) : std::nullopt;
                uint64_t got = 0;
                if (w && w->size() == 8) std::memcpy(&got, w->data(), 8);
                v = w && w->size() == 8 ? "[" + (got ? hex(got) : "0") + "]" : (a ? hex(a) : "NULL");
            } else {
                v = a ? hex(a) : "0";
            }
            break;
        }
        case 'R': v = rlimit_resource(a); break;
        case 't': v = timespec_at(read, a); break;
        case 'T': v = ok ? timespec_at(read, a) : (a ? hex(a) : "NULL"); break;
        case 'L': v = rlimit_at(read, a); break;
        case 'l': v = ok ? rlimit_at(read, a) : (a ? hex(a) : "NULL"); break;
        case 'S': v = ok ? stat_at(read, a) : (a ? hex(a) : "NULL"); break;
        case 'g': v = getrandom_flags(a); break;
        case 'W': v = lseek_whence(a); break;
        case 'c': v = fcntl_cmd(a); break;
        case 'f': {
            auto f = fcntl_arg(c.args[i - 1], a);
            if (!f) continue;
            v = *f;
            break;
        }
        case 'e': v = fd_flags(a); break;
        case 'n': v = signal_name(a); break;
        case 'K': v = sigaction_at(read, a); break;
        case 'k': v = ok ? sigaction_at(read, a) : (a ? hex(a) : "NULL"); break;
        case 'H': v = sigprocmask_how(a); break;
        case 'Q': v = sigset_at(read, a); break;
        case 'q': v = ok ? sigset_at(read, a) : (a ? hex(a) : "NULL"); break;
        case 'U': v = uid_text(a); break;
        case 'J': v = mount_flags(a); break;
        case 'j': {
            const bool str = i == 2 ? mount_fstype_is_string(c.args[3]) : mount_data_is_string(c.args[3]);
            v = str && a ? quoted_at(read, a, kStringMax, true) : (a ? hex(a) : "NULL");
            break;
        }
        case 'B': v = umount_flags(a); break;
        case 'z': v = timer_flags(a); break;
        case '&': v = rename_flags(a); break;
        case '#': v = mode_with_type(a); break;
        case 'v':
            if (i == 0 || !is_device(c.args[i - 1])) continue;
            v = makedev_text(a);
            break;
        case 'w': v = ok && *ret > 0 ? wait_status_at(read, a) : (a ? hex(a) : "NULL"); break;
        case 'y': v = wait_options(a); break;
        case 'r': {
            const bool filled = ok && (k.find('w') == std::string_view::npos || *ret > 0);
            v = filled ? rusage_at(read, a) : (a ? hex(a) : "NULL");
            break;
        }
        case '<': v = rusage_who(a); break;
        case 'i': v = waitid_type(a); break;
        case 'h': v = ok ? siginfo_at(read, a) : (a ? hex(a) : "NULL"); break;
        case '0': v = ok ? fd_pair_at(read, a) : (a ? hex(a) : "NULL"); break;
        case '*': v = ok && a && *ret == 0 ? "[]" : ok ? gid_list_at(read, a, *ret) : (a ? hex(a) : "NULL"); break;
        case '%': v = ok ? tms_at(read, a) : (a ? hex(a) : "NULL"); break;
        case '$': v = ok ? sysinfo_at(read, a) : (a ? hex(a) : "NULL"); break;
        case '^': v = ok ? statfs_at(read, a) : (a ? hex(a) : "NULL"); break;
        case '2': v = utimens_at(read, a); break;
        case '(': v = timeval_at(read, a); break;
        case '[': v = pollfds_at(read, a, i + 1 < 6 ? c.args[i + 1] & 0xffffffff : 0); break;
        case '{': v = fd_set_at(read, a, c.args[0]); break;
        case '~': v = pselect_sigmask_at(read, a); break;
        case 'V': v = clone_args(args, ok, read); break;
        case 'N': v = prctl_args(args, ok, read); break;
        case 'E': v = reboot_args(args, read); break;
        case 'Z': v = socket_args(args); break;
        case '@': v = access_mode(a); break;
        case '=': v = ok ? utsname_at(read, a) : (a ? hex(a) : "NULL"); break;
        default: v = a == 0 ? "NULL" : hex(a);
        }
        s += (first ? "" : ", ") + v;
        first = false;
    }
    s += ")";
    // strace lines the results up: " = " at column 39 of the line (a -tt prefix counts).
    if (pad_from >= 0 && size_t(pad_from) + s.size() < 39) s.append(39 - size_t(pad_from) - s.size(), ' ');
    s += " = ";
    if (!ret) return s + "?";
    const std::string_view call = name ? name : "";
    s += call == "umask" ? file_mode(uint64_t(*ret)) : format_return(*ret, name && returns_address(name));
    if (ok && c.abi_bits == 64) {  // the notes read x86-64's structures
        const std::string note = return_note(call, args, *ret, read);
        if (!note.empty()) s += " (" + note + ")";
    }
    return s;
}

}  // namespace lstar::trace
