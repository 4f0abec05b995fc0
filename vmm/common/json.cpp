#include "common/json.hpp"

#include <array>
#include <charconv>

namespace lstar {

namespace {

// Printable ASCII but '"' and '\\': bytes that go into a JSON string as they are.
constexpr auto kPlain = [] {
    std::array<bool, 256> t{};
    for (int c = 0x20; c < 0x7f; ++c) t[size_t(c)] = c != '"' && c != '\\';
    return t;
}();

}  // namespace

void json_escape_to(std::string& out, std::string_view s) {
    static const char* kHex = "0123456789abcdef";
    // Runs of plain characters are appended in one go: most strings (names, symbols) need no escape.
    size_t plain = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (kPlain[c]) continue;
        out.append(s.data() + plain, i - plain);
        plain = i + 1;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: {  // control bytes and non-ASCII from a guest: never raw
            const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
            out.append(u, sizeof u);
        }
        }
    }
    out.append(s.data() + plain, s.size() - plain);
}

JsonObject& JsonObject::hex(std::string_view k, uint64_t v) {
    key(k);
    char b[24] = {'"', '0', 'x'};
    auto r = std::to_chars(b + 3, b + sizeof b - 1, v, 16);
    *r.ptr++ = '"';
    s_.append(b, r.ptr);
    return *this;
}

}  // namespace lstar
