#include "devices/board.hpp"

#include <vector>

namespace lstar::devices {

namespace {
constexpr uint16_t kPic1 = 0x20, kPic2 = 0xa0, kPostPort = 0x80;
}

Board::Board(const BoardConfig& cfg, ConsoleSinks sinks)
    : sinks_(std::move(sinks)), com1_([this](uint8_t c) { tx(c); }), fw_cfg_(cfg.ram_bytes, cfg.cpus, cfg.cmdline) {}

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

std::optional<Decision> Board::on_io(const exits::Io& io) {
    const uint16_t p = io.port;
    // One element per (rep) access: the OUT data, or the IN data to fill in.
    auto element = [&](uint32_t i) {
        uint32_t v = 0;
        for (unsigned b = 0; b < io.size && size_t(i) * io.size + b < io.data.size(); ++b)
            v |= uint32_t(io.data[size_t(i) * io.size + b]) << (8 * b);
        return v;
    };
    auto reads = [&](auto&& one_byte) {
        actions::CompleteRead r{0, {}};
        for (uint32_t i = 0; i < io.count; ++i)
            for (unsigned b = 0; b < io.size; ++b) r.bytes.push_back(one_byte());
        return Decision{r, ""};
    };

    if (p >= Serial16550::kCom1 && p < Serial16550::kCom1 + Serial16550::kPorts) {
        const uint8_t off = uint8_t(p - Serial16550::kCom1);
        if (io.in) return reads([&] { return com1_.read(off); });
        for (uint32_t i = 0; i < io.count; ++i) com1_.write(off, uint8_t(element(i)));  // the UART is byte-wide
        return Decision{actions::Continue{}, ""};
    }
    if (p == CmosRtc::kIndexPort) {
        if (io.in) return reads([] { return uint8_t(0xff); });  // the index port is write-only
        rtc_.select(uint8_t(element(io.count - 1)));
        return Decision{actions::Continue{}, ""};
    }
    if (p == CmosRtc::kDataPort) {
        if (io.in) return reads([&] { return rtc_.read(); });
        return Decision{actions::Continue{}, ""};  // setting the clock is ignored
    }
    if (p == FwCfg::kSelectorPort && !io.in) {
        fw_cfg_.select(uint16_t(element(io.count - 1)));
        return Decision{actions::Continue{}, ""};
    }
    if (p == FwCfg::kDataPort) {
        if (io.in) return reads([&] { return fw_cfg_.read(); });  // wider reads take consecutive bytes
        return Decision{actions::Continue{}, "fw_cfg: write to the data port ignored (read-only, as QEMU since 2.4)"};
    }
    if (PowerPorts::claims(p)) {
        if (io.in) return reads([] { return uint8_t(0xff); });
        for (uint32_t i = 0; i < io.count; ++i)
            if (auto off = power_.write(p, element(i), io.size))
                return Decision{actions::Stop{StopReason::GuestExit, off->status}, off->why};
        return Decision{actions::Continue{}, ""};
    }
    if (p == kPic1 || p == kPic1 + 1 || p == kPic2 || p == kPic2 + 1) {
        // Without an in-kernel irqchip: remember the mask (OCW1), accept the rest (ICWs, EOIs).
        uint8_t& mask = pic_mask_[p >= kPic2];
        if (!io.in) {
            if (p & 1) mask = uint8_t(element(io.count - 1));
            return Decision{actions::Continue{}, ""};
        }
        return reads([&] { return (p & 1) ? mask : uint8_t(0); });
    }
    if (p == kPostPort) {  // POST codes and io_delay(): nothing to do
        if (io.in) return reads([] { return uint8_t(0xff); });
        return Decision{actions::Continue{}, ""};
    }
    return std::nullopt;
}

}  // namespace lstar::devices
