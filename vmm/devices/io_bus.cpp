#include "devices/io_bus.hpp"

#include <stdexcept>

namespace lstar::devices {

namespace {

// The range that holds addr, if any: the last one starting at or below it.
template <class Map>
auto find_range(const Map& ranges, uint64_t addr) -> decltype(&ranges.begin()->second) {
    auto it = ranges.upper_bound(addr);
    if (it == ranges.begin()) return nullptr;
    --it;
    return addr <= it->second.last ? &it->second : nullptr;
}

template <class Map, class Handler>
void add_range(Map& ranges, uint64_t first, uint64_t size, Handler handler, const char* what) {
    if (size == 0 || first + size - 1 < first) throw std::logic_error(std::string(what) + ": empty or wrapping range");
    const uint64_t last = first + size - 1;
    auto next = ranges.lower_bound(first);
    if (next != ranges.end() && next->first <= last) throw std::logic_error(std::string(what) + ": overlapping ranges");
    if (find_range(ranges, first)) throw std::logic_error(std::string(what) + ": overlapping ranges");
    ranges.emplace(first, typename Map::mapped_type{last, std::move(handler)});
}

}  // namespace

void IoBus::add_ports(uint16_t first, uint16_t count, PortHandler handler) {
    if (uint32_t(first) + count > 0x10000) throw std::logic_error("I/O bus: ports past 0xffff");
    add_range(ports_, first, count, std::move(handler), "I/O bus");
}

void IoBus::add_mmio(uint64_t first, uint64_t size, MmioHandler handler) {
    add_range(mmio_, first, size, std::move(handler), "MMIO bus");
}

std::optional<Decision> IoBus::io(const exits::Io& io) const {
    if (auto* r = find_range(ports_, io.port)) return r->handler(io);
    return std::nullopt;
}

std::optional<Decision> IoBus::mmio(const exits::Mmio& mmio) const {
    if (auto* r = find_range(mmio_, mmio.gpa)) return r->handler(mmio);
    return std::nullopt;
}

}  // namespace lstar::devices
