// The console's input (compare Linux's tty read, reduced to one blocking request): the monitor
// answers a ConsoleRead event from its own stdin. The vCPU stays in the VM exit while the monitor
// waits, so the guest neither spins nor needs an interrupt; the bytes come back through a kernel
// buffer whose physical address the event names, and are then copied to the user's buffer.
#include "console.hpp"

#include "events.hpp"
#include "kernel.hpp"
#include "mm.hpp"
#include "syscall_nr.hpp"

namespace lstar::kernel {

namespace {

constexpr uint64_t kBounceSize = 4096;  // at most this much per read(2), as a pipe's page
alignas(4096) unsigned char bounce[kBounceSize];

}  // namespace

long console_read(uint64_t ubuf, uint64_t count) {
    if (!lstar_monitor) return 0;  // under a plain PVH loader (QEMU) there is no input: end of file
    if (count == 0) return 0;
    if (count > kBounceSize) count = kBounceSize;
    if (!user_range_accessible(ubuf, count, true)) return -err::kEFAULT;
    auto* e = event_prepare<abi::ConsoleReadEvent>(abi::EventType::ConsoleRead);
    e->fd = uint64_t(abi::ConsoleStream::Stdin);
    e->va = virt_to_phys(bounce);
    e->len = count;
    e->result = -err::kEINTR;  // what stays if no monitor answers
    event_send();
    const int64_t n = *static_cast<volatile int64_t*>(&e->result);
    if (n < 0) return n;
    if (uint64_t(n) > count) return -err::kEFAULT;  // a monitor that claims more than it was asked for
    memcpy(reinterpret_cast<void*>(ubuf), bounce, uint64_t(n));
    return n;
}

}  // namespace lstar::kernel
