#include "devices/board.hpp"

#include <vector>

namespace lstar::devices {

namespace {

constexpr uint16_t kPic1 = 0x20, kPic2 = 0xa0, kPostPort = 0x80;

// One element of a (rep) OUT: the data, little-endian, io.size bytes.
uint32_t element(const exits::Io& io, uint32_t i) {
    uint32_t v = 0;
    for (unsigned b = 0; b < io.size && size_t(i) * io.size + b < io.data.size(); ++b)
        v |= uint32_t(io.data[size_t(i) * io.size + b]) << (8 * b);
    return v;
}

// The IN data of a (rep) IN, one byte at a time from one_byte.
template <class F>
Decision reads(const exits::Io& io, F&& one_byte) {
    actions::CompleteRead r{0, {}};
    for (uint32_t i = 0; i < io.count; ++i)
        for (unsigned b = 0; b < io.size; ++b) r.bytes.push_back(one_byte());
    return Decision{r, ""};
}

Decision done(std::string note = "") { return Decision{actions::Continue{}, std::move(note)}; }

}  // namespace

Board::Board(const BoardConfig& cfg, ConsoleSinks sinks)
    : sinks_(std::move(sinks)),
      com1_([this](uint8_t c) { tx(c); },
            sinks_.irq ? std::function<void(bool)>([this](bool l) { sinks_.irq(Serial16550::kIrq, l); }) : nullptr),
      fw_cfg_(cfg.ram_bytes, cfg.cpus, cfg.cmdline) {}

void Board::tx(uint8_t c) {
    std::string out;
    std::vector<std::string> lines;
    lines_.put(c, out, lines);
    if (!out.empty() && sinks_.out) sinks_.out(out);
    for (auto& l : lines)
        if (sinks_.line) sinks_.line(l);
}

void Board::flush() {
    std::string out;
    std::vector<std::string> lines;
    lines_.flush(out, lines);
    if (!out.empty() && sinks_.out) sinks_.out(out);
    for (auto& l : lines)
        if (sinks_.line) sinks_.line(l);
}

void Board::attach(IoBus& bus) {
    bus.add_ports(Serial16550::kCom1, Serial16550::kPorts, [this](const exits::Io& io) -> std::optional<Decision> {
        const uint8_t off = uint8_t(io.port - Serial16550::kCom1);
        if (io.in) return reads(io, [&] { return com1_.read(off); });
        for (uint32_t i = 0; i < io.count; ++i) com1_.write(off, uint8_t(element(io, i)));  // the UART is byte-wide
        return done();
    });
    bus.add_ports(CmosRtc::kIndexPort, 1, [this](const exits::Io& io) -> std::optional<Decision> {
        if (io.in) return reads(io, [] { return uint8_t(0xff); });  // the index port is write-only
        rtc_.select(uint8_t(element(io, io.count - 1)));
        return done();
    });
    bus.add_ports(CmosRtc::kDataPort, 1, [this](const exits::Io& io) -> std::optional<Decision> {
        if (io.in) return reads(io, [&] { return rtc_.read(); });
        return done();  // setting the clock is ignored
    });
    bus.add_ports(FwCfg::kSelectorPort, 1, [this](const exits::Io& io) -> std::optional<Decision> {
        if (io.in) return std::nullopt;  // write-only: read as nothing is there
        fw_cfg_.select(uint16_t(element(io, io.count - 1)));
        return done();
    });
    bus.add_ports(FwCfg::kDataPort, 1, [this](const exits::Io& io) -> std::optional<Decision> {
        if (io.in) return reads(io, [&] { return fw_cfg_.read(); });  // wider reads take consecutive bytes
        return done("fw_cfg: write to the data port ignored (read-only, as QEMU since 2.4)");
    });
    for (uint16_t port : PowerPorts::kPorts)
        bus.add_ports(port, 1, [this](const exits::Io& io) -> std::optional<Decision> {
            if (io.in) return reads(io, [&] { return PowerPorts::read(io.port); });
            for (uint32_t i = 0; i < io.count; ++i)
                if (auto off = power_.write(io.port, element(io, i), io.size))
                    return Decision{actions::Stop{StopReason::GuestExit, exit_status(StopReason::GuestExit, off->status)},
                                    off->why};
            return done();
        });
    // Without an in-kernel irqchip: remember the masks (OCW1), accept the rest (ICWs, EOIs).
    for (uint16_t base : {kPic1, kPic2})
        bus.add_ports(base, 2, [this](const exits::Io& io) -> std::optional<Decision> {
            const uint16_t p = io.port;
            uint8_t& mask = pic_mask_[p >= kPic2];
            if (!io.in) {
                if (p & 1) mask = uint8_t(element(io, io.count - 1));
                return done();
            }
            return reads(io, [&] { return (p & 1) ? mask : uint8_t(0); });
        });
    bus.add_ports(kPostPort, 1, [](const exits::Io& io) -> std::optional<Decision> {  // POST codes, io_delay()
        if (io.in) return reads(io, [] { return uint8_t(0xff); });
        return done();
    });
}

}  // namespace lstar::devices
