// The legacy devices of vmm/devices/: pure classes, no /dev/kvm.
#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "devices/access_limiter.hpp"
#include "devices/board.hpp"
#include "devices/cmos_rtc.hpp"
#include "devices/console_lines.hpp"
#include "devices/fw_cfg.hpp"
#include "devices/power_ports.hpp"
#include "devices/serial_16550.hpp"

using namespace lstar;
using namespace lstar::devices;

TEST_CASE("16550: THR transmits, the divisor latch hides THR/IER, registers read back, LSR always ready") {
    std::string sent;
    Serial16550 u([&](uint8_t c) { sent += char(c); });
    u.write(Serial16550::kTx, 'h');
    CHECK(sent == "h");
    u.write(Serial16550::kIer, 0x0f);
    CHECK(u.read(Serial16550::kIer) == 0x0f);
    u.write(Serial16550::kIer, 0xff);
    CHECK(u.read(Serial16550::kIer) == 0x0f);  // bits 4-7 do not exist
    u.write(Serial16550::kLcr, 0x80);            // DLAB
    u.write(Serial16550::kDll, 0x01);
    u.write(Serial16550::kDlm, 0x02);
    CHECK(u.divisor() == 0x0201);
    CHECK(u.read(Serial16550::kDll) == 0x01);
    CHECK(u.read(Serial16550::kDlm) == 0x02);
    CHECK(sent == "h");                      // the latch write did not transmit
    CHECK(u.read(Serial16550::kIer) == 0x02);  // offset 1 under DLAB is DLM
    u.write(Serial16550::kLcr, 0x03);
    CHECK(u.read(Serial16550::kLcr) == 0x03);
    CHECK(u.read(Serial16550::kIer) == 0x0f);
    CHECK(u.read(Serial16550::kLsr) == (Serial16550::kLsrThre | Serial16550::kLsrTemt));
    CHECK(u.read(Serial16550::kIir) == 0x02);  // THRI: IER bit 1 with THR empty; this read clears it
    CHECK(u.read(Serial16550::kIir) == 0x01);  // no interrupt pending
    u.write(Serial16550::kFcr, 0x07);
    CHECK(u.read(Serial16550::kIir) == 0xc1);  // FIFOs on
    u.write(Serial16550::kScr, 0x5a);
    CHECK(u.read(Serial16550::kScr) == 0x5a);
    CHECK(u.read(Serial16550::kRx) == 0);  // nothing received
    u.write(Serial16550::kMcr, 0x1f);       // loopback, all outputs on
    CHECK(u.read(Serial16550::kMcr) == 0x1f);
    CHECK(u.read(Serial16550::kMsr) == 0xf0);
    u.write(Serial16550::kTx, 'x');  // looped back, not sent
    CHECK(sent == "h");
    u.write(Serial16550::kMcr, 0);
    CHECK(u.read(Serial16550::kMsr) == 0xb0);
}

TEST_CASE("console lines: \\r\\n becomes \\n, a lone \\r stays, lines are cut at the maximum") {
    ConsoleLines c;
    std::string out;
    std::vector<std::string> lines;
    for (char ch : std::string("ab\r\ncd\rx\n\re\r")) c.put(uint8_t(ch), out, lines);
    CHECK(out == "ab\ncd\rx\n\re");  // the last "\r" waits for the next byte
    CHECK(lines == std::vector<std::string>{"ab", "cd\rx"});
    c.flush(out, lines);
    CHECK(out == "ab\ncd\rx\n\re\r");
    CHECK(lines.back() == "\re\r");
    ConsoleLines l;
    lines.clear();
    for (size_t i = 0; i < ConsoleLines::kLineMax + 1; ++i) l.put('y', out, lines);
    CHECK(lines.size() == 1);
    CHECK(lines[0].size() == ConsoleLines::kLineMax);
}

TEST_CASE("fw_cfg: signature, ID, CPUs, RAM, command line; unknown keys and bytes past the end read as zero") {
    FwCfg f(128 << 20, 1, "console=ttyS0");
    auto item = [&](uint16_t key, size_t n) {
        f.select(key);
        std::vector<uint8_t> v;
        for (size_t i = 0; i < n; ++i) v.push_back(f.read());
        return v;
    };
    CHECK(item(FwCfg::kSignature, 5) == std::vector<uint8_t>{'Q', 'E', 'M', 'U', 0});
    CHECK(item(FwCfg::kId, 4) == std::vector<uint8_t>{1, 0, 0, 0});
    CHECK(item(FwCfg::kNbCpus, 2) == std::vector<uint8_t>{1, 0});
    CHECK(item(FwCfg::kRamSize, 8) == std::vector<uint8_t>{0, 0, 0, 8, 0, 0, 0, 0});
    CHECK(item(FwCfg::kCmdlineSize, 4) == std::vector<uint8_t>{14, 0, 0, 0});
    auto c = item(FwCfg::kCmdlineData, 14);
    CHECK(std::string(c.begin(), c.end() - 1) == "console=ttyS0");
    CHECK(c.back() == 0);
    CHECK(item(0x1234, 3) == std::vector<uint8_t>{0, 0, 0});
    CHECK(item(FwCfg::kSignature, 2) == std::vector<uint8_t>{'Q', 'E'});  // select rewinds
}

TEST_CASE("power-off ports: isa-debug-exit's (v << 1) | 1, Bochs' \"Shutdown\", ACPI S5") {
    PowerPorts p;
    CHECK(p.write(0xf4, 0x21, 4)->status == 67);
    CHECK(p.write(0xf4, 0x1ff, 1)->status == 0xff);  // the byte written, as QEMU with iosize 1
    CHECK(p.write(0x501, 0, 1)->status == 1);
    CHECK(debug_exit_status(0x80) == 1);  // (0x80 << 1) | 1 = 0x101: 8 bits of it, as the process sees
    for (char c : std::string("ShutdowX")) CHECK(!p.write(0x8900, uint8_t(c), 1));
    std::optional<PowerOff> off;
    for (char c : std::string("SShutdown")) off = p.write(0x8900, uint8_t(c), 1);
    REQUIRE(off);
    CHECK(off->status == 0);
    CHECK(!p.write(0x604, 0x1000, 2));
    CHECK(p.write(0x604, 0x3400, 2)->status == 0);
}

TEST_CASE("unhandled-access reports: a few per port, then one saying the rest are hidden") {
    AccessLimiter l;
    using V = AccessLimiter::Verdict;
    CHECK(l.check(0x61) == V::Report);
    CHECK(l.check(0x61) == V::Report);
    CHECK(l.check(0x61) == V::ReportLast);
    CHECK(l.check(0x61) == V::Silent);
    CHECK(l.check(0x62) == V::Report);
    for (uint64_t k = 0; k < AccessLimiter::kKeys; ++k) l.check(0x1000 + k);
    CHECK(l.check(0x9999) == V::Silent);
}

TEST_CASE("the board: COM1 output reaches both sinks, fw_cfg serves rep insb, debug exit stops, others fall through") {
    std::string out;
    std::vector<std::string> lines;
    Board b({64 << 20, 1, "abc"}, {[&](const std::string& s) { out += s; }, [&](const std::string& l) { lines.push_back(l); }});
    IoBus bus;
    b.attach(bus);
    auto io = [](uint16_t port, bool in, uint8_t size, uint32_t count, std::vector<uint8_t>& data) {
        exits::Io x{};
        x.port = port, x.in = in, x.size = size, x.count = count, x.data = data;
        if (!data.empty()) x.value = data[0];
        return x;
    };
    std::vector<uint8_t> text = {'h', 'i', '\r', '\n', 'z'};
    auto d = bus.io(io(0x3f8, false, 1, 5, text));  // rep outsb
    REQUIRE(d);
    CHECK(out == "hi\nz");
    CHECK(lines == std::vector<std::string>{"hi"});
    b.flush();
    CHECK(lines.back() == "z");
    std::vector<uint8_t> sel = {0x15, 0x00};
    CHECK(bus.io(io(0x510, false, 2, 1, sel)));
    std::vector<uint8_t> none;
    d = bus.io(io(0x511, true, 1, 4, none));  // rep insb
    auto* r = std::get_if<actions::CompleteRead>(&d->action);
    REQUIRE(r);
    CHECK(r->bytes == std::vector<uint8_t>{'a', 'b', 'c', 0});
    std::vector<uint8_t> lsr;
    d = bus.io(io(0x3fd, true, 1, 1, lsr));
    CHECK(std::get<actions::CompleteRead>(d->action).bytes == std::vector<uint8_t>{0x60});
    std::vector<uint8_t> mask = {0xfb};
    CHECK(bus.io(io(0x21, false, 1, 1, mask)));
    d = bus.io(io(0x21, true, 1, 1, none));
    CHECK(std::get<actions::CompleteRead>(d->action).bytes == std::vector<uint8_t>{0xfb});
    std::vector<uint8_t> v = {3, 0, 0, 0};
    d = bus.io(io(0xf4, false, 4, 1, v));
    auto* s = std::get_if<actions::Stop>(&d->action);
    REQUIRE(s);
    CHECK(s->status == 7);
    CHECK(s->reason == StopReason::GuestExit);
    CHECK(d->note.find("isa-debug-exit") != std::string::npos);
    CHECK(!bus.io(io(0x61, true, 1, 1, none)));  // not a board port: the dispatcher's all ones
}

TEST_CASE("CMOS RTC: the date in BCD, 24-hour mode, UIP never set, NMI bit ignored in the index") {
    CmosRtc rtc([] { return std::time_t(1795631974); });  // 2026-11-25 18:39:34 UTC, a Wednesday
    auto reg = [&](uint8_t i) {
        rtc.select(i);
        return rtc.read();
    };
    CHECK(reg(0x00) == 0x34);
    CHECK(reg(0x02) == 0x39);
    CHECK(reg(0x04) == 0x18);
    CHECK(reg(0x06) == 0x04);
    CHECK(reg(0x07) == 0x25);
    CHECK(reg(0x08) == 0x11);
    CHECK(reg(0x09) == 0x26);
    CHECK(reg(CmosRtc::kCentury) == 0x20);
    CHECK((reg(CmosRtc::kRegA) & 0x80) == 0);
    CHECK(reg(CmosRtc::kRegB) == CmosRtc::kRegBValue);
    CHECK(reg(CmosRtc::kRegD) == 0x80);
    CHECK(reg(0x80 | 0x09) == 0x26);  // bit 7 of the index is the NMI mask
    CHECK(reg(0x40) == 0);            // plain CMOS RAM reads as zero
}

TEST_CASE("the I/O bus hands an access to the one device whose range holds it, refuses overlaps") {
    IoBus bus;
    std::vector<uint16_t> seen;
    auto device = [&](const exits::Io& io) -> std::optional<Decision> {
        seen.push_back(io.port);
        return Decision{actions::Continue{}, "mine"};
    };
    bus.add_ports(0x3f8, 8, device);
    bus.add_ports(0x70, 1, [](const exits::Io&) -> std::optional<Decision> { return std::nullopt; });  // declines
    exits::Io io{};
    io.port = 0x3ff;
    REQUIRE(bus.io(io));
    CHECK(bus.io(io)->note == "mine");
    io.port = 0x400;
    CHECK(!bus.io(io));  // one past the range
    io.port = 0x3f7;
    CHECK(!bus.io(io));
    io.port = 0x70;
    CHECK(!bus.io(io));  // a device may decline: the dispatcher answers
    CHECK(seen == std::vector<uint16_t>{0x3ff, 0x3ff});
    CHECK_THROWS_AS(bus.add_ports(0x3fc, 2, device), std::logic_error);
    CHECK_THROWS_AS(bus.add_ports(0x3f0, 9, device), std::logic_error);
    bus.add_ports(0x3f0, 8, device);  // adjacent is fine
    exits::Mmio m{};
    m.gpa = 0xfee00000;
    CHECK(!bus.mmio(m));
}

TEST_CASE("COM1's transmitter-empty interrupt: raised with IER.THRI and an empty THR, cleared by IIR, an edge per byte") {
    std::vector<bool> levels;
    std::string sent;
    devices::Serial16550 u([&](uint8_t c) { sent += char(c); }, [&](bool l) { levels.push_back(l); });
    using S = devices::Serial16550;
    CHECK(u.read(S::kIir) == S::kIirNoInt);  // IER clear: nothing pending
    u.write(S::kIer, S::kIerThri);           // THR is empty: enabling THRI interrupts at once
    REQUIRE(levels == std::vector<bool>{true});
    CHECK(u.read(S::kIir) == S::kIirThri);   // the source, and reading it clears it
    CHECK(levels.back() == false);
    CHECK(u.read(S::kIir) == S::kIirNoInt);
    u.write(S::kTx, 'a');                    // THR empties again at once: a fresh edge
    CHECK(sent == "a");
    CHECK(levels.back() == true);
    u.write(S::kTx, 'b');                    // still pending: the line drops and rises again
    CHECK(levels == std::vector<bool>{true, false, true, false, true});
    u.write(S::kIer, 0);                     // THRI disabled: the line goes low
    CHECK(levels.back() == false);
    CHECK(u.read(S::kIir) == S::kIirNoInt);
}

TEST_CASE("the i8042 reset (0xfe to port 0x64) ends the run as a reboot; the controller reads idle") {
    devices::PowerPorts p;
    CHECK(devices::PowerPorts::read(devices::PowerPorts::kI8042Command) == 0x00);
    CHECK(!p.write(devices::PowerPorts::kI8042Command, 0xad, 1));  // another command: nothing happens
    auto off = p.write(devices::PowerPorts::kI8042Command, 0xfe, 1);
    REQUIRE(off);
    CHECK(off->status == 0);
    CHECK(off->why.find("i8042 reset") != std::string::npos);
}
