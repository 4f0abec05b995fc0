#include "devices/cmos_rtc.hpp"

namespace lstar::devices {

namespace {
constexpr uint8_t bcd(unsigned v) { return uint8_t((v / 10) << 4 | (v % 10)); }

struct Civil {
    unsigned year, month, day, hour, min, sec, wday;  // wday 0 = Sunday
};

// UTC from seconds since the epoch (Howard Hinnant's civil_from_days). Not gmtime_r: glibc's
// reads the time-zone file on first use, which the run loop's seccomp filter refuses.
Civil civil_from_epoch(std::time_t t) {
    int64_t days = t / 86400, rem = t % 86400;
    if (rem < 0) rem += 86400, days -= 1;
    Civil c{};
    c.hour = unsigned(rem / 3600), c.min = unsigned(rem / 60 % 60), c.sec = unsigned(rem % 60);
    c.wday = unsigned(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
    const int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = unsigned(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    c.day = doy - (153 * mp + 2) / 5 + 1;
    c.month = mp < 10 ? mp + 3 : mp - 9;
    c.year = unsigned(int64_t(yoe) + era * 400 + (c.month <= 2));
    return c;
}
}  // namespace

uint8_t CmosRtc::read() const {
    const Civil c = civil_from_epoch(now_());
    switch (index_) {
    case 0x00: return bcd(c.sec);
    case 0x02: return bcd(c.min);
    case 0x04: return bcd(c.hour);
    case 0x06: return bcd(c.wday + 1);  // 1 = Sunday
    case 0x07: return bcd(c.day);
    case 0x08: return bcd(c.month);
    case 0x09: return bcd(c.year % 100);
    case kCentury: return bcd(c.year / 100);
    case kRegA: return 0x26;  // 32.768 kHz time base, 1.024 kHz rate; UIP (bit 7) clear
    case kRegB: return kRegBValue;
    case kRegC: return 0;  // no interrupt flags
    case kRegD: return kRegDValue;
    default: return 0;
    }
}

}  // namespace lstar::devices
