// The I/O bus (compare kvmtool's hw/ and ioport.c): each device registers the port and MMIO
// ranges it decodes, and an exit is handed to the one device at its address, or to nobody.
// The run loop asks the bus after its hooks (gdb, the tracer) and before the dispatcher.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>

#include "kvm/exit.hpp"
#include "kvm/exit_action.hpp"

namespace lstar::devices {

class IoBus {
public:
    // A handler may decline an access (nullopt: a write-only register read): the dispatcher then
    // answers it as it answers an access nobody decodes.
    using PortHandler = std::function<std::optional<Decision>(const exits::Io&)>;
    using MmioHandler = std::function<std::optional<Decision>(const exits::Mmio&)>;

    // Ports [first, first + count) and guest-physical [first, first + size): throws
    // std::logic_error when the range overlaps one already registered (two devices at one address
    // is a bug in lstar, not something a guest can cause).
    void add_ports(uint16_t first, uint16_t count, PortHandler handler);
    void add_mmio(uint64_t first, uint64_t size, MmioHandler handler);

    // What the device at the access's address decides, or nullopt when no device takes it.
    std::optional<Decision> io(const exits::Io& io) const;
    std::optional<Decision> mmio(const exits::Mmio& mmio) const;

private:
    template <class Handler>
    struct Range {
        uint64_t last;  // inclusive
        Handler handler;
    };
    std::map<uint64_t, Range<PortHandler>> ports_;  // by first port
    std::map<uint64_t, Range<MmioHandler>> mmio_;   // by first address
};

}  // namespace lstar::devices
