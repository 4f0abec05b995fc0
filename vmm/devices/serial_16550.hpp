// COM1 as the subset of a 16550A UART that Linux's 8250 driver uses (its names): THR and RBR,
// IER with the transmitter-empty interrupt (THRI: raised when THR is empty and IER.THRI is set,
// cleared by reading IIR or writing THR, as on the chip; the line goes to IRQ 4), IIR/FCR, LCR with the divisor latch
// (DLAB), MCR with loopback's modem-status echo, LSR with THRE|TEMT always set (the transmitter
// is never busy: bytes leave at once), MSR, SCR. Nothing is ever received.
#pragma once
#include <cstdint>
#include <functional>

namespace lstar::devices {

class Serial16550 {
public:
    static constexpr uint16_t kCom1 = 0x3f8;
    static constexpr unsigned kPorts = 8;
    // Register offsets (UART_* in Linux's serial_reg.h).
    static constexpr uint8_t kRx = 0, kTx = 0, kDll = 0, kIer = 1, kDlm = 1, kIir = 2, kFcr = 2, kLcr = 3, kMcr = 4,
                             kLsr = 5, kMsr = 6, kScr = 7;
    static constexpr uint8_t kLcrDlab = 0x80;
    static constexpr uint8_t kLsrThre = 0x20, kLsrTemt = 0x40;
    static constexpr uint8_t kIirNoInt = 0x01, kIirThri = 0x02, kIirFifos = 0xc0;
    static constexpr uint8_t kIerThri = 0x02;
    static constexpr unsigned kIrq = 4;
    static constexpr uint8_t kMcrLoop = 0x10;

    // irq: the interrupt line's new level, each time it changes (none: a polled UART).
    explicit Serial16550(std::function<void(uint8_t)> tx, std::function<void(bool)> irq = {})
        : tx_(std::move(tx)), irq_(std::move(irq)) {}

    uint8_t read(uint8_t offset);
    void write(uint8_t offset, uint8_t value);
    uint16_t divisor() const { return uint16_t(dll_ | (dlm_ << 8)); }

private:
    void update_irq();
    std::function<void(uint8_t)> tx_;
    std::function<void(bool)> irq_;
    bool thr_empty_event_ = true;  // THRI is pending (THR emptied since the last IIR read or THR write)
    bool irq_level_ = false;
    uint8_t ier_ = 0, lcr_ = 0, mcr_ = 0, scr_ = 0, fcr_ = 0;
    uint8_t dll_ = 0x0c, dlm_ = 0;  // 9600 baud from the 1.8432 MHz clock, as after a PC BIOS
};

}  // namespace lstar::devices
