// The clock without lstar's monitor (a plain PVH loader such as QEMU -kernel): no BootInfo wall
// clock, so do what Linux does on a PC. The wall clock is the CMOS RTC (compare Linux's
// arch/x86/kernel/rtc.c mach_get_cmos_time), with its one-second resolution; the TSC frequency is
// measured against PIT channel 0 over 10 ms (compare pit_calibrate_tsc in arch/x86/kernel/tsc.c).
// Only on this path: under lstar every cycle of ring 0 is emulated and the monitor knows better.
#include "kernel.hpp"
#include "processor.hpp"
#include "time.hpp"

namespace lstar::kernel {

namespace {

constexpr uint16_t kCmosIndex = 0x70, kCmosData = 0x71;
constexpr uint8_t RTC_SECONDS = 0x00, RTC_MINUTES = 0x02, RTC_HOURS = 0x04, RTC_DAY_OF_MONTH = 0x07,
                  RTC_MONTH = 0x08, RTC_YEAR = 0x09, RTC_FREQ_SELECT = 0x0a, RTC_CONTROL = 0x0b, RTC_CENTURY = 0x32;
constexpr uint8_t RTC_UIP = 0x80, RTC_DM_BINARY = 0x04, RTC_24H = 0x02;

uint8_t cmos_read(uint8_t reg) {
    outb(kCmosIndex, reg);
    return inb(kCmosData);
}

unsigned bcd2bin(uint8_t v) { return (v & 0x0f) + (v >> 4) * 10; }

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + int64_t(doe) - 719468;
}

// The TSC frequency in kHz against PIT channel 0 (its gate is always open; channel 2's needs port
// 0x61, which QEMU's microvm lacks): a free-running mode-2 count from 0xffff, latched and read
// until 10 ms of PIT ticks have passed. IRQ0 goes nowhere: the PICs are masked (pvh.cpp) and the
// I/O APIC's pins are masked at reset. Afterwards the channel is left in one-shot mode 0.
uint16_t pit_read_ch0() {
    outb(0x43, 0x00);  // counter latch, channel 0
    const uint8_t lo = inb(0x40);
    return uint16_t(lo | inb(0x40) << 8);
}

uint64_t pit_calibrate_tsc_khz() {
    constexpr uint64_t kPitTickRate = 1193182;  // Hz
    constexpr uint64_t kTicks = kPitTickRate / 100;  // 10 ms
    outb(0x43, 0x34);  // channel 0, lobyte/hibyte, mode 2 (rate generator), binary
    outb(0x40, 0xff);
    outb(0x40, 0xff);
    uint16_t last = pit_read_ch0();
    const uint64_t t1 = rdtsc();
    uint64_t elapsed = 0, t2 = t1;
    for (uint64_t spins = 0; elapsed < kTicks; spins++) {
        const uint16_t now = pit_read_ch0();
        elapsed += uint16_t(last - now);  // counts down; wraps at 0xffff
        last = now;
        t2 = rdtsc();
        if (spins > 10000000 || (spins > 1000 && elapsed == 0)) return 0;  // no PIT
    }
    outb(0x43, 0x30);  // channel 0, mode 0: one terminal count, then quiet
    outb(0x40, 0xff);
    outb(0x40, 0xff);
    return (t2 - t1) * kPitTickRate / (elapsed * 1000);
}

}  // namespace

void read_persistent_clock(boot::BootInfo& bi) {
    uint8_t sec, min, hour, day, mon, year, century;
    // No RTC (the bus reads all ones): leave the wall clock at 0. UIP lasts at most 2 ms on a real
    // MC146818: a bounded wait, as Linux's mc146818_avoid_UIP, never an endless one.
    if (cmos_read(RTC_FREQ_SELECT) == 0xff) {
        bi.tsc_khz = pit_calibrate_tsc_khz();
        return;
    }
    for (unsigned tries = 0; tries < 10000 && (cmos_read(RTC_FREQ_SELECT) & RTC_UIP); tries++) {
    }
    sec = cmos_read(RTC_SECONDS);
    bi.boot_tsc = rdtsc();  // the RTC's second began at most 1 s before this
    min = cmos_read(RTC_MINUTES);
    hour = cmos_read(RTC_HOURS);
    day = cmos_read(RTC_DAY_OF_MONTH);
    mon = cmos_read(RTC_MONTH);
    year = cmos_read(RTC_YEAR);
    century = cmos_read(RTC_CENTURY);
    const uint8_t control = cmos_read(RTC_CONTROL);
    unsigned s = sec, mi = min, h = hour & 0x7f, d = day, mo = mon, y = year, c = century;
    if (!(control & RTC_DM_BINARY)) {
        s = bcd2bin(sec), mi = bcd2bin(min), h = bcd2bin(hour & 0x7f), d = bcd2bin(day), mo = bcd2bin(mon);
        y = bcd2bin(year), c = bcd2bin(century);
    }
    if (!(control & RTC_24H) && (hour & 0x80)) h = (h % 12) + 12;  // 12-hour mode, PM
    const unsigned full_year = c >= 19 && c <= 21 ? c * 100 + y : (y < 70 ? 2000 + y : 1900 + y);
    if (mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && s < 60) {
        const int64_t secs = days_from_civil(full_year, mo, d) * 86400 + h * 3600 + mi * 60 + s;
        bi.boot_wallclock_ns = secs > 0 ? uint64_t(secs) * 1000000000ull : 0;
    }
    bi.tsc_khz = pit_calibrate_tsc_khz();
}

}  // namespace lstar::kernel
