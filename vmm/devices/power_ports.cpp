#include "devices/power_ports.hpp"

#include <cstdio>

namespace lstar::devices {

std::optional<PowerOff> PowerPorts::write(uint16_t port, uint32_t value, unsigned size) {
    if (size < 4) value &= (1u << (8 * size)) - 1;
    char b[96];
    if (port == kDebugExit || port == kDebugExitDefault) {
        std::snprintf(b, sizeof b, "isa-debug-exit: %#x written to port %#x, exit status (%#x << 1) | 1 = %d", value,
                      unsigned(port), value, debug_exit_status(value));
        return PowerOff{debug_exit_status(value), b};
    }
    if (port == kBochsShutdown) {
        static constexpr char kWord[] = "Shutdown";
        if (size == 1 && char(value) == kWord[shutdown_matched_]) {
            if (++shutdown_matched_ == sizeof kWord - 1) {
                shutdown_matched_ = 0;
                return PowerOff{0, "\"Shutdown\" written to the Bochs shutdown port 0x8900: power off, status 0"};
            }
        } else {
            shutdown_matched_ = size == 1 && char(value) == 'S' ? 1 : 0;
        }
        return std::nullopt;
    }
    if (port == kAcpiPm1aCnt && (value & 0x2000) && ((value >> 10) & 7) == 5) {
        std::snprintf(b, sizeof b, "ACPI PM1a_CNT %#x: SLP_EN with SLP_TYP 5 (S5, soft off), status 0", value);
        return PowerOff{0, b};
    }
    if (port == kI8042Command && size == 1 && value == kI8042PulseReset)
        return PowerOff{0, "i8042 reset (0xfe written to port 0x64): the guest rebooted; lstar ends the run there, as QEMU -no-reboot, status 0"};
    return std::nullopt;
}

}  // namespace lstar::devices
