#include "devices/access_limiter.hpp"

namespace lstar::devices {

AccessLimiter::Verdict AccessLimiter::check(uint64_t key) {
    auto it = seen_.find(key);
    if (it == seen_.end()) {
        if (seen_.size() >= kKeys) {
            if (keys_full_reported_) return Verdict::Silent;
            keys_full_reported_ = true;
            return Verdict::ReportLast;
        }
        it = seen_.emplace(key, 0).first;
    }
    unsigned n = ++it->second;
    return n < kPerKey ? Verdict::Report : n == kPerKey ? Verdict::ReportLast : Verdict::Silent;
}

}  // namespace lstar::devices
