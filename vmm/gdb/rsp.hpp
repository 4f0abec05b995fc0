// The GDB remote serial protocol's framing ("Remote Protocol" in the GDB manual, "Overview" and
// "Binary Data"): `$payload#xx` packets with a modulo-256 checksum, `+`/`-` acknowledgements, the
// 0x03 interrupt byte, `}` escapes in binary payloads, and the hex encodings packets use.
// Pure functions and a byte-at-a-time decoder: no sockets here, so all of it is unit-tested.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lstar::gdb::rsp {

uint8_t checksum(std::string_view payload);

// `$payload#xx`. The payload goes out as is: only binary replies (qXfer) need escape_binary first.
std::string frame(std::string_view payload);

// Binary data: `$`, `#`, `}` and `*` are sent as `}` followed by the byte XOR 0x20 (`*` because gdb
// would read it as run-length encoding in a reply).
std::string escape_binary(std::string_view raw);
std::string unescape_binary(std::string_view escaped);

// What arrives from gdb, one event per complete unit.
struct Event {
    enum Kind { Packet, BadChecksum, Ack, Nack, Interrupt } kind;
    std::string payload;  // Packet only: still escaped (only binary packets such as X are escaped)
};

// Feeds bytes in any chunking; a packet split across reads comes out whole. Stray bytes between
// packets are ignored, as gdb's own reader does.
class Decoder {
public:
    std::optional<Event> feed(char c);
    std::vector<Event> feed(std::string_view bytes);

private:
    enum class State { Idle, Payload, Sum1, Sum2 } state_ = State::Idle;
    std::string payload_;
    int sum_hi_ = 0;
};

// Hex as packets carry it: two lower-case digits per byte, in memory order.
std::string to_hex(const uint8_t* bytes, size_t len);
inline std::string to_hex(std::string_view s) { return to_hex(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
std::optional<std::vector<uint8_t>> from_hex(std::string_view hex);  // nullopt on odd length or a non-digit
// A number as in `m addr,len` or `p n`: big-endian hex digits, at most 16 of them.
std::optional<uint64_t> parse_number(std::string_view hex);

}  // namespace lstar::gdb::rsp
