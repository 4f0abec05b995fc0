// A small JSON object writer for the exit log: one flat allocation per record, no DOM, so that
// logging never limits a run (bench: exit-log throughput). Strings are escaped per RFC 8259;
// 64-bit addresses are written as "0x..." strings because JSON readers lose integers past 2^53.
#pragma once
#include <charconv>
#include <concepts>
#include <cstring>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/hex.hpp"

namespace lstar {

void json_escape_to(std::string& out, std::string_view s);

class JsonObject {
public:
    JsonObject() { s_.reserve(256); s_ += '{'; }

    template <std::integral T>
    JsonObject& num(std::string_view key, T v) {
        this->key(key);
        if constexpr (std::is_same_v<T, bool>) {
            s_ += v ? "true" : "false";
        } else {
            char b[24];
            s_.append(b, std::to_chars(b, b + sizeof b, v).ptr);  // no allocation, no locale
        }
        return *this;
    }
    JsonObject& str(std::string_view key, std::string_view v) {
        this->key(key);
        s_ += '"';
        json_escape_to(s_, v);
        s_ += '"';
        return *this;
    }
    // A string lstar itself names ("exit", "io", "out"): printable, no quote or backslash, so
    // not escaped. Anything from a guest or a file goes through str().
    JsonObject& name(std::string_view key, std::string_view v) {
        this->key(key);
        s_ += '"';
        s_ += v;
        s_ += '"';
        return *this;
    }
    JsonObject& hex(std::string_view key, uint64_t v);
    JsonObject& raw(std::string_view key, std::string_view json) {  // an already-encoded value
        this->key(key);
        s_ += json;
        return *this;
    }
    std::string done() {  // closes the object; call once
        s_ += '}';
        return std::move(s_);
    }

private:
    void key(std::string_view k) {  // one append: this runs for every field of every exit record
        char b[64];
        size_t n = 0;
        if (s_.size() > 1) b[n++] = ',';
        b[n++] = '"';
        if (k.size() > sizeof b - 4) k = k.substr(0, sizeof b - 4);  // keys are our own short identifiers
        std::memcpy(b + n, k.data(), k.size());  // no escaping needed
        n += k.size();
        b[n++] = '"';
        b[n++] = ':';
        s_.append(b, n);
    }
    std::string s_;
};

}  // namespace lstar
