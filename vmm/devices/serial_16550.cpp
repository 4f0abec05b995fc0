#include "devices/serial_16550.hpp"

namespace lstar::devices {

uint8_t Serial16550::read(uint8_t offset) {
    const bool dlab = lcr_ & kLcrDlab;
    switch (offset & 7) {
    case kRx: return dlab ? dll_ : 0;  // nothing is ever received
    case kIer: return dlab ? dlm_ : ier_;
    case kIir: {
        const uint8_t fifos = (fcr_ & 1) ? kIirFifos : 0;
        if (!(ier_ & kIerThri) || !thr_empty_event_) return kIirNoInt | fifos;
        thr_empty_event_ = false;  // reading IIR with THRI as its source clears it
        update_irq();
        return kIirThri | fifos;
    }
    case kLcr: return lcr_;
    case kMcr: return mcr_;
    case kLsr: return kLsrThre | kLsrTemt;
    case kMsr:
        if (mcr_ & kMcrLoop)  // loopback: CTS = RTS, DSR = DTR, RI = OUT1, DCD = OUT2
            return uint8_t(((mcr_ & 0x02) << 3) | ((mcr_ & 0x01) << 5) | ((mcr_ & 0x04) << 4) | ((mcr_ & 0x08) << 4));
        return 0xb0;  // DCD, DSR, CTS: a cable with someone listening
    case kScr: return scr_;
    }
    return 0xff;
}

void Serial16550::update_irq() {
    const bool level = (ier_ & kIerThri) && thr_empty_event_;
    if (level == irq_level_) return;
    irq_level_ = level;
    if (irq_) irq_(level);
}

void Serial16550::write(uint8_t offset, uint8_t value) {
    const bool dlab = lcr_ & kLcrDlab;
    switch (offset & 7) {
    case kTx:
        if (dlab) dll_ = value;
        else {
            if (!(mcr_ & kMcrLoop)) tx_(value);  // in loopback the byte goes back to the receiver: dropped
            // The byte leaves at once: THR is empty again, a fresh THRI (an edge for the 8259).
            thr_empty_event_ = false;
            update_irq();
            thr_empty_event_ = true;
            update_irq();
        }
        return;
    case kIer:
        if (dlab) dlm_ = value;
        else {
            // Enabling THRI while THR is empty interrupts at once, as on a 16550A.
            if ((value & kIerThri) && !(ier_ & kIerThri)) thr_empty_event_ = true;
            ier_ = value & 0x0f;
            update_irq();
        }
        return;
    case kFcr: fcr_ = value & 0xc9; return;  // the clear bits (1, 2) self-clear
    case kLcr: lcr_ = value; return;
    case kMcr: mcr_ = value & 0x1f; return;
    case kScr: scr_ = value; return;
    default: return;  // LSR and MSR are read-only
    }
}

}  // namespace lstar::devices
