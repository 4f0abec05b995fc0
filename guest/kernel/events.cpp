// The event port: the kernel's only channel to the monitor besides the exit port.
#include "events.hpp"

#include "processor.hpp"

namespace lstar::kernel {

alignas(64) EventBuffer event_buffer;
bool guest_events;

void event_send() {
    // The record is in the kernel image (.bss), so its physical address is VA - __START_KERNEL_map,
    // and it lies below 1 GiB: it fits the 32-bit port write.
    outl(abi::kPortEvent, static_cast<uint32_t>(virt_to_phys(&event_buffer)));
}

}  // namespace lstar::kernel
