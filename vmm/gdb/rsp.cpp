#include "gdb/rsp.hpp"

namespace lstar::gdb::rsp {

namespace {
constexpr char kDigits[] = "0123456789abcdef";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
bool needs_escape(char c) { return c == '$' || c == '#' || c == '}' || c == '*'; }
}  // namespace

uint8_t checksum(std::string_view payload) {
    uint8_t sum = 0;
    for (char c : payload) sum = uint8_t(sum + uint8_t(c));
    return sum;
}

std::string frame(std::string_view payload) {
    uint8_t sum = checksum(payload);
    std::string out;
    out.reserve(payload.size() + 4);
    out += '$';
    out += payload;
    out += '#';
    out += kDigits[sum >> 4];
    out += kDigits[sum & 15];
    return out;
}

std::string escape_binary(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    for (char c : raw) {
        if (needs_escape(c)) {
            out += '}';
            out += char(c ^ 0x20);
        } else {
            out += c;
        }
    }
    return out;
}

std::string unescape_binary(std::string_view escaped) {
    std::string out;
    out.reserve(escaped.size());
    for (size_t i = 0; i < escaped.size(); ++i) {
        if (escaped[i] == '}' && i + 1 < escaped.size())
            out += char(escaped[++i] ^ 0x20);
        else
            out += escaped[i];  // a trailing lone `}` cannot be undone: keep it rather than drop data
    }
    return out;
}

std::optional<Event> Decoder::feed(char c) {
    switch (state_) {
    case State::Idle:
        if (c == '$') {
            payload_.clear();
            state_ = State::Payload;
        } else if (c == '+') {
            return Event{Event::Ack, {}};
        } else if (c == '-') {
            return Event{Event::Nack, {}};
        } else if (c == '\x03') {
            return Event{Event::Interrupt, {}};
        }
        return std::nullopt;
    case State::Payload:
        // `#` never appears inside a payload: binary data escapes it.
        if (c == '#')
            state_ = State::Sum1;
        else
            payload_ += c;
        return std::nullopt;
    case State::Sum1:
        sum_hi_ = hex_value(c);
        state_ = State::Sum2;
        return std::nullopt;
    case State::Sum2: {
        state_ = State::Idle;
        int lo = hex_value(c);
        bool ok = sum_hi_ >= 0 && lo >= 0 && uint8_t(sum_hi_ << 4 | lo) == checksum(payload_);
        Event e{ok ? Event::Packet : Event::BadChecksum, ok ? std::move(payload_) : std::string()};
        payload_.clear();
        return e;
    }
    }
    return std::nullopt;
}

std::vector<Event> Decoder::feed(std::string_view bytes) {
    std::vector<Event> out;
    for (char c : bytes)
        if (auto e = feed(c)) out.push_back(std::move(*e));
    return out;
}

std::string to_hex(const uint8_t* bytes, size_t len) {
    std::string out;
    out.reserve(len * 2);
    for (size_t i = 0; i < len; ++i) {
        out += kDigits[bytes[i] >> 4];
        out += kDigits[bytes[i] & 15];
    }
    return out;
}

std::optional<std::vector<uint8_t>> from_hex(std::string_view hex) {
    if (hex.size() % 2) return std::nullopt;
    std::vector<uint8_t> out(hex.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out[i] = uint8_t(hi << 4 | lo);
    }
    return out;
}

std::optional<uint64_t> parse_number(std::string_view hex) {
    if (hex.empty() || hex.size() > 16) return std::nullopt;
    uint64_t v = 0;
    for (char c : hex) {
        int d = hex_value(c);
        if (d < 0) return std::nullopt;
        v = v << 4 | uint64_t(d);
    }
    return v;
}

}  // namespace lstar::gdb::rsp
