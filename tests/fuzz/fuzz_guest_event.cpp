// libFuzzer target: the guest event decoder (vmm/run/guest_events.cpp). Event records are written by
// the guest, so every byte of them is hostile.
//
// Input layout: 8 bytes little-endian "gpa selector", then the contents of a 4 KiB guest RAM. A
// selector with bit 63 set is used as the record's address verbatim (addresses far outside RAM,
// wrap-around); otherwise it is taken modulo RAM size + 64, so that most records lie in RAM and
// some straddle its end.
//
// Checked beyond "no crash": a decoded record's strings fit their fields.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <variant>

#include "event_abi.hpp"
#include "memory/guest_memory.hpp"
#include "run/guest_events.hpp"

using namespace lstar;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    constexpr uint64_t kRam = 4096;
    static GuestMemory mem(kRam);
    if (size < 8) return 0;
    uint64_t sel;
    std::memcpy(&sel, data, 8);
    uint64_t gpa = (sel >> 63) ? sel : sel % (kRam + 64);

    std::memset(mem.host_base(), 0, kRam);
    std::memcpy(mem.host_base(), data + 8, std::min<size_t>(size - 8, kRam));

    auto r = read_guest_event(mem, gpa);
    if (auto* bad = std::get_if<BadEvent>(&r)) {
        if (bad->why.empty()) std::abort();
        return 0;
    }
    const auto& ev = std::get<GuestEvent>(r);
    if (event_name(ev) == nullptr) std::abort();
    if (auto* log = std::get_if<LogText>(&ev); log && log->text.size() > abi::kLogMax) std::abort();
    if (auto* ue = std::get_if<UserEnter>(&ev); ue && ue->name.size() > abi::kNameMax) std::abort();
    return 0;
}
