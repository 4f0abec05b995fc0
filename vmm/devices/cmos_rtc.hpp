// The PC's CMOS real-time clock (Motorola MC146818) at ports 0x70 (index) and 0x71 (data), as
// much of it as a kernel reads at boot to learn the date (Linux's mach_get_cmos_time): the time
// and date registers in BCD and 24-hour mode, status A with UIP never set (a reader never waits),
// status B, status D "valid RAM and time", the century at 0x32; other CMOS bytes read as zero and
// writes are ignored (the clock cannot be set). Without it a kernel waiting for UIP to clear in
// an all-ones register would spin on port exits. The time is the host's UTC when read.
#pragma once
#include <cstdint>
#include <ctime>
#include <functional>

namespace lstar::devices {

class CmosRtc {
public:
    static constexpr uint16_t kIndexPort = 0x70, kDataPort = 0x71;
    static constexpr uint8_t kRegA = 0x0a, kRegB = 0x0b, kRegC = 0x0c, kRegD = 0x0d, kCentury = 0x32;
    static constexpr uint8_t kRegBValue = 0x02;  // 24-hour mode, BCD, no interrupts
    static constexpr uint8_t kRegDValue = 0x80;  // VRT: RAM and time valid

    // now: seconds since the epoch (tests give a fixed clock).
    explicit CmosRtc(std::function<std::time_t()> now = [] { return std::time(nullptr); }) : now_(std::move(now)) {}

    void select(uint8_t v) { index_ = v & 0x7f; }  // bit 7 is the NMI mask, not part of the index
    uint8_t read() const;

private:
    std::function<std::time_t()> now_;
    uint8_t index_ = 0;
};

}  // namespace lstar::devices
