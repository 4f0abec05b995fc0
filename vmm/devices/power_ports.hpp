// The ports through which a test kernel ends its run, as under QEMU:
//  * isa-debug-exit (0xf4, the iobase tests give QEMU, and 0x501, its default): a write of v
//    ends the run with exit status (v << 1) | 1, truncated to 8 bits as every exit status is;
//  * Bochs' shutdown port 0x8900: the bytes "Shutdown" in a row power off, status 0;
//  * the ACPI PM1a control port of QEMU's microvm and q35 (0x604): SLP_EN with SLP_TYP 5 (the value
//    0x2000), status 0;
//  * the i8042 keyboard controller's reset line (0xfe, pulse output line 0, to port 0x64): Linux's
//    reboot=k, its default after ACPI. lstar ends the run there, as QEMU -no-reboot does: status 0.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace lstar::devices {

struct PowerOff {
    int status;
    std::string why;
};

class PowerPorts {
public:
    static constexpr uint16_t kDebugExit = 0xf4, kDebugExitDefault = 0x501, kBochsShutdown = 0x8900,
                              kAcpiPm1aCnt = 0x604, kI8042Command = 0x64;
    static constexpr uint8_t kI8042PulseReset = 0xfe;
    static constexpr uint16_t kPorts[] = {kDebugExit, kDebugExitDefault, kBochsShutdown, kAcpiPm1aCnt, kI8042Command};
    // What an IN from one of the ports reads: the i8042 status says "both buffers empty" (so that
    // Linux's kb_wait() before the reset returns at once), the others float (0xff).
    static uint8_t read(uint16_t port) { return port == kI8042Command ? 0x00 : 0xff; }
    // An OUT of value (size bytes) to port: the run ends when this returns a PowerOff.
    std::optional<PowerOff> write(uint16_t port, uint32_t value, unsigned size);

private:
    unsigned shutdown_matched_ = 0;  // how much of "Shutdown" came in a row
};

// QEMU's isa-debug-exit status for a written value.
constexpr int debug_exit_status(uint32_t v) { return int(((uint64_t(v) << 1) | 1) & 0xff); }

}  // namespace lstar::devices
