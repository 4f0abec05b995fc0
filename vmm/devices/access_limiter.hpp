// Rate-limits the report of accesses nobody serves (unknown ports, MMIO to holes): the first
// kPerKey of each port or page are shown, then one line saying the rest are not; at most kKeys
// distinct ports or pages are reported at all. The exit log still gets every access.
#pragma once
#include <cstdint>
#include <cstddef>
#include <unordered_map>

namespace lstar::devices {

class AccessLimiter {
public:
    static constexpr unsigned kPerKey = 3;
    static constexpr size_t kKeys = 64;
    enum class Verdict { Report, ReportLast, Silent };  // ReportLast: "further ones are not shown"
    Verdict check(uint64_t key);

private:
    std::unordered_map<uint64_t, unsigned> seen_;
    bool keys_full_reported_ = false;
};

}  // namespace lstar::devices
