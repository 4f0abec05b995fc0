#include "run/json.hpp"

#include <charconv>

namespace lstar {

void json_escape_to(std::string& out, std::string_view s) {
    static const char* kHex = "0123456789abcdef";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20 || c >= 0x7f) {  // control bytes and non-ASCII from a guest: never raw
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 15];
            } else {
                out += char(c);
            }
        }
    }
}

std::string hex_string(uint64_t v) {
    char b[20] = {'0', 'x'};
    auto r = std::to_chars(b + 2, b + sizeof b, v, 16);  // no locale, no format parsing: once per field per exit
    return std::string(b, r.ptr);
}

JsonObject& JsonObject::hex(std::string_view k, uint64_t v) {
    key(k);
    s_ += '"';
    s_ += hex_string(v);
    s_ += '"';
    return *this;
}

}  // namespace lstar
