// Event records for the monitor (shared/event_abi.hpp): fill one, then one `outl` of its
// physical address to abi::kPortEvent = one VM exit, in which the monitor reads it.
#pragma once
#include "event_abi.hpp"
#include "kernel.hpp"

namespace lstar::kernel {

// One static record: the monitor has read it by the time `outl` returns, so it can be reused.
union EventBuffer {
    abi::EventHeader h;
    unsigned char bytes[abi::kEventMaxSize];
};
extern EventBuffer event_buffer;

// Zero the record, fill its header and return it typed. Then fill the fields and event_send().
template <class T>
T* event_prepare(abi::EventType type) {
    static_assert(sizeof(T) <= abi::kEventMaxSize);
    memset(event_buffer.bytes, 0, sizeof(T));
    auto* e = reinterpret_cast<T*>(event_buffer.bytes);
    e->h.magic = abi::kEventMagic;
    e->h.type = static_cast<uint16_t>(type);
    e->h.size = sizeof(T);
    return e;
}

// Send the prepared record to the monitor (nothing without one: see lstar_monitor).
void event_send();

// COM1, for a boot without lstar's monitor (QEMU): Linux's early_serial_console, reduced to a
// 16550's transmit register. serial_init() once, then bytes; each waits for LSR.THRE.
void serial_init();
void serial_write(const char* s, unsigned long n);

}  // namespace lstar::kernel
