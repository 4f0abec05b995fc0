#include "trace/syscall_format.hpp"

#include <cstring>
#include <map>
#include <string_view>

#include "common/json.hpp"
#include "common/syscall_names.hpp"

namespace lstar::trace {

namespace {

// Argument kinds, one letter each: d = signed int, u = unsigned, x = hex / pointer,
// s = NUL-terminated string, b = buffer whose length is the next argument (input),
// o = buffer filled by the call, length = the return value (output).
const std::map<std::string_view, std::string_view>& kinds() {
    static const std::map<std::string_view, std::string_view> k = {
        {"read", "dou"},        {"write", "dbu"},        {"open", "sxx"},         {"openat", "dsxx"},
        {"close", "d"},         {"stat", "sx"},          {"lstat", "sx"},         {"fstat", "dx"},
        {"newfstatat", "dsxx"}, {"lseek", "ddd"},        {"mmap", "xuxxdd"},      {"mprotect", "xux"},
        {"munmap", "xu"},       {"brk", "x"},            {"ioctl", "dxx"},        {"pread64", "doud"},
        {"pwrite64", "dbud"},   {"readv", "dxd"},        {"writev", "dxd"},       {"access", "sx"},
        {"getpid", ""},         {"getppid", ""},         {"gettid", ""},          {"getuid", ""},
        {"geteuid", ""},        {"getgid", ""},          {"getegid", ""},         {"exit", "d"},
        {"exit_group", "d"},    {"execve", "sxx"},       {"uname", "x"},          {"arch_prctl", "xx"},
        {"getdents64", "dxu"},  {"readlink", "sxu"},     {"readlinkat", "dsxu"},  {"getrandom", "xux"},
        {"clock_gettime", "dx"}, {"gettimeofday", "xx"}, {"time", "x"},           {"set_tid_address", "x"},
        {"set_robust_list", "xu"}, {"prlimit64", "ddxx"}, {"getrlimit", "dx"},     {"setrlimit", "dx"},
        {"rseq", "xudx"},       {"getcpu", "xxx"},       {"sched_getaffinity", "dux"}, {"chdir", "s"},
        {"mkdir", "sx"},        {"unlink", "s"},         {"dup", "d"},            {"dup2", "dd"},
        {"nanosleep", "xx"},    {"kill", "dd"},          {"fcntl", "ddx"},
    };
    return k;
}

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

}  // namespace

std::string quote_bytes(const std::vector<uint8_t>& bytes, bool truncated) {
    std::string s = "\"";
    for (uint8_t c : bytes) {
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
                std::snprintf(o, sizeof o, "\\%o", unsigned(c));
                s += o;
            }
        }
    }
    s += '"';
    if (truncated) s += "...";
    return s;
}

std::string format_return(int64_t ret) {
    if (ret < 0 && ret > -4096) {
        int e = int(-ret);
        const char* name = strerrorname_np(e);
        return "-1 " + std::string(name ? name : "E?") + " (" + std::strerror(e) + ")";
    }
    if (ret > 0xffffff || ret < 0) return hex(uint64_t(ret));  // addresses (mmap, brk) read better in hex
    return std::to_string(ret);
}

std::string format_syscall(const SyscallCall& c, std::optional<int64_t> ret, const MemReader& read) {
    const char* name = c.abi_bits == 32 ? syscall_name32(c.nr) : syscall_name(c.nr);
    std::string s = name ? name : "syscall_" + std::to_string(c.nr);
    auto it = name ? kinds().find(name) : kinds().end();
    std::string_view k = it != kinds().end() ? it->second : std::string_view("xxxxxx");
    s += '(';
    for (size_t i = 0; i < k.size() && i < 6; ++i) {
        if (i) s += ", ";
        uint64_t a = c.args[i];
        if (c.abi_bits == 32) a &= 0xffffffff;
        switch (k[i]) {
        case 'd': s += std::to_string(c.abi_bits == 32 ? int64_t(int32_t(a)) : int64_t(a)); break;
        case 'u': s += std::to_string(a); break;
        case 's': s += quoted_at(read, a, kStringMax, true); break;
        case 'b': s += quoted_at(read, a, i + 1 < 6 ? c.args[i + 1] : 0, false); break;
        case 'o':
            if (ret && *ret > 0) s += quoted_at(read, a, size_t(*ret), false);
            else s += hex(a);
            break;
        default: s += a == 0 ? "NULL" : hex(a);
        }
    }
    s += ") = ";
    s += ret ? format_return(*ret) : "?";
    return s;
}

}  // namespace lstar::trace
