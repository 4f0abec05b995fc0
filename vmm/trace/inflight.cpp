#include "trace/inflight.hpp"

#include "syscall_nr.hpp"

namespace lstar::trace {

uint64_t address_space(uint64_t cr3) { return cr3 & 0x7fffffffffffe000ull; }

namespace {

bool is_execve(uint64_t nr) { return nr == uint64_t(nr::kExecve) || nr == uint64_t(nr::kExecveat); }

}  // namespace

std::optional<InFlight> InFlightCalls::take(size_t i) {
    InFlight c = std::move(calls_[i]);
    calls_.erase(calls_.begin() + long(i));
    return c;
}

std::optional<InFlight> InFlightCalls::enter(InFlight c) {
    std::optional<InFlight> displaced;
    for (size_t i = 0; i < calls_.size(); ++i)
        if (address_space(calls_[i].cr3) == address_space(c.cr3) && calls_[i].rsp == c.rsp) {
            displaced = take(i);
            break;
        }
    if (!displaced && calls_.size() >= kMax) displaced = take(0);
    calls_.push_back(std::move(c));
    return displaced;
}

std::optional<InFlightCalls::Match> InFlightCalls::leave(const Return& r) {
    const uint64_t as = address_space(r.cr3);
    auto find = [&](auto&& pred) -> std::optional<size_t> {
        for (size_t i = calls_.size(); i-- > 0;)  // the newest first
            if (pred(calls_[i])) return i;
        return std::nullopt;
    };
    auto same = [&](const InFlight& c) { return address_space(c.cr3) == as; };
    if (auto i = find([&](const InFlight& c) { return same(c) && c.rcx == r.rip && c.rsp == r.rsp; }))
        return Match{*take(*i), false};
    if (auto i = find([&](const InFlight& c) { return same(c) && r.frame_ip && *r.frame_ip == c.rcx; }))
        return Match{*take(*i), true};
    if (auto i = find([&](const InFlight& c) { return same(c) && c.call.nr == uint64_t(nr::kRtSigreturn); }))
        return Match{*take(*i), false};
    if (auto i = find([&](const InFlight& c) { return is_execve(c.call.nr); }))
        return Match{*take(*i), false};
    return std::nullopt;
}

std::vector<InFlight> InFlightCalls::drain() {
    std::vector<InFlight> all = std::move(calls_);
    calls_.clear();
    return all;
}

}  // namespace lstar::trace
