// The legacy PC devices a small kernel expects, behind one port decoder: COM1 (16550 subset),
// the CMOS RTC, fw_cfg, the power-off ports (isa-debug-exit, Bochs, ACPI), the 8259 PICs' mask registers (when
// KVM has no in-kernel irqchip; with one, KVM serves them) and the POST port 0x80. Pure: the run
// loop asks on_io() first and falls back to the dispatcher for every port the board does not claim.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "devices/cmos_rtc.hpp"
#include "devices/console_lines.hpp"
#include "devices/fw_cfg.hpp"
#include "devices/io_bus.hpp"
#include "devices/power_ports.hpp"
#include "devices/serial_16550.hpp"
#include "kvm/exit.hpp"
#include "kvm/exit_action.hpp"

namespace lstar::devices {

struct BoardConfig {
    uint64_t ram_bytes = 0;
    uint16_t cpus = 1;
    std::string cmdline;  // what fw_cfg's CMDLINE items say
};

struct ConsoleSinks {
    std::function<void(const std::string&)> out;   // bytes for lstar's stdout
    std::function<void(const std::string&)> line;  // one finished COM1 line, for the exit log
    std::function<void(unsigned irq, bool level)> irq;  // an ISA interrupt line to the in-kernel irqchip (none: polled)
};

class Board {
public:
    Board(const BoardConfig& cfg, ConsoleSinks sinks);

    // Register every device's ports on the bus.
    void attach(IoBus& bus);
    // The end of the run: hand over an unfinished console line.
    void flush();

private:
    void tx(uint8_t c);
    ConsoleSinks sinks_;
    Serial16550 com1_;
    ConsoleLines lines_;
    FwCfg fw_cfg_;
    CmosRtc rtc_;
    PowerPorts power_;
    uint8_t pic_mask_[2] = {0xff, 0xff};
};

}  // namespace lstar::devices
