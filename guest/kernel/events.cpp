// The event port: the kernel's only channel to the monitor besides the exit port.
#include "events.hpp"

#include "processor.hpp"

namespace lstar::kernel {

alignas(64) EventBuffer event_buffer;
bool guest_events;
bool lstar_monitor = true;

namespace {
constexpr uint16_t kCom1 = 0x3f8;
constexpr uint16_t kUartIer = 1, kUartLcr = 3, kUartLsr = 5;
constexpr uint8_t kLcr8n1 = 0x03, kLsrThre = 0x20;
}  // namespace

void serial_init() {
    outb(kCom1 + kUartIer, 0);        // no interrupts: this kernel polls
    outb(kCom1 + kUartLcr, kLcr8n1);  // 8 data bits, no parity, 1 stop bit (QEMU ignores the rate)
}

void serial_write(const char* s, unsigned long n) {
    for (unsigned long i = 0; i < n; i++) {
        while (!(inb(kCom1 + kUartLsr) & kLsrThre)) asm volatile("pause");
        outb(kCom1, uint8_t(s[i]));
    }
}

void event_send() {
    if (!lstar_monitor) return;
    // The record is in the kernel image (.bss), so its physical address is VA - __START_KERNEL_map,
    // and it lies below 1 GiB: it fits the 32-bit port write.
    outl(abi::kPortEvent, static_cast<uint32_t>(virt_to_phys(&event_buffer)));
}

}  // namespace lstar::kernel
