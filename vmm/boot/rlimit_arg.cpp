#include "boot/rlimit_arg.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace lstar {

namespace {

// The names of Linux's RLIMIT_* (include/uapi/asm-generic/resource.h), in their numeric order.
constexpr const char* kResources[] = {"CPU",   "FSIZE",      "DATA",   "STACK",  "CORE",   "RSS",
                                      "NPROC", "NOFILE",     "MEMLOCK", "AS",    "LOCKS",  "SIGPENDING",
                                      "MSGQUEUE", "NICE",    "RTPRIO", "RTTIME"};
constexpr uint64_t kInfinity = ~0ull;  // RLIM_INFINITY

uint64_t parse_value(const std::string& s, const std::string& arg) {
    if (s == "unlimited" || s == "infinity") return kInfinity;
    size_t used = 0;
    uint64_t v = 0;
    try {
        if (s.empty() || !std::isdigit(static_cast<unsigned char>(s[0]))) throw std::invalid_argument("");
        v = std::stoull(s, &used, 10);
    } catch (const std::exception&) {
        throw std::invalid_argument("--rlimit " + arg + ": '" + s + "' is not a number or 'unlimited'");
    }
    std::string suffix = s.substr(used);
    unsigned shift = suffix.empty() ? 0 : suffix == "K" || suffix == "k" ? 10 : suffix == "M" || suffix == "m" ? 20
                                        : suffix == "G" || suffix == "g"   ? 30
                                                                           : 99;
    if (shift == 99) throw std::invalid_argument("--rlimit " + arg + ": unknown suffix '" + suffix + "' (K, M, G)");
    if (shift && v > (kInfinity >> shift)) throw std::invalid_argument("--rlimit " + arg + ": too large");
    return v << shift;
}

std::string text(uint64_t v) { return v == kInfinity ? "unlimited" : std::to_string(v); }

}  // namespace

std::string rlimit_cmdline_param(const std::string& arg) {
    auto eq = arg.find('=');
    if (eq == std::string::npos)
        throw std::invalid_argument("--rlimit " + arg + ": want RESOURCE=SOFT[:HARD], e.g. NOFILE=8 or AS=64M");
    std::string name = arg.substr(0, eq);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
    if (name.rfind("RLIMIT_", 0) == 0) name = name.substr(7);
    if (std::find_if(std::begin(kResources), std::end(kResources), [&](const char* r) { return name == r; }) ==
        std::end(kResources)) {
        std::string all;
        for (const char* r : kResources) all += std::string(all.empty() ? "" : ", ") + r;
        throw std::invalid_argument("--rlimit " + arg + ": unknown resource '" + name + "' (" + all + ")");
    }
    const std::string vals = arg.substr(eq + 1);
    const auto colon = vals.find(':');
    const uint64_t soft = parse_value(vals.substr(0, colon), arg);
    const uint64_t hard = colon == std::string::npos ? soft : parse_value(vals.substr(colon + 1), arg);
    if (soft > hard) throw std::invalid_argument("--rlimit " + arg + ": the soft limit is above the hard limit");
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    return "lstar.rlimit." + name + "=" + text(soft) + ":" + text(hard);
}

}  // namespace lstar
