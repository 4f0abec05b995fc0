// Guest RAM: one anonymous mapping at guest-physical 0, every access bounds-checked by GPA.
#pragma once
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "common/error.hpp"

namespace lstar {

// A guest-physical range outside guest RAM: at set-up, an image that does not fit.
struct GuestMemoryError : BadImage {
    using BadImage::BadImage;
};

class GuestMemory {
public:
    explicit GuestMemory(uint64_t size);  // zero-filled; throws std::system_error when mmap fails
    ~GuestMemory();
    GuestMemory(const GuestMemory&) = delete;
    GuestMemory& operator=(const GuestMemory&) = delete;
    GuestMemory(GuestMemory&& o) noexcept;
    GuestMemory& operator=(GuestMemory&& o) noexcept;

    uint64_t size() const { return size_; }
    uint8_t* host_base() const { return base_; }

    // True when [gpa, gpa + len) lies inside guest RAM (overflow-safe).
    bool contains(uint64_t gpa, uint64_t len) const { return gpa <= size_ && len <= size_ - gpa; }

    // Throw GuestMemoryError naming the range when it is not inside guest RAM.
    std::span<uint8_t> span(uint64_t gpa, uint64_t len);
    std::span<const uint8_t> span(uint64_t gpa, uint64_t len) const;

    template <class T>
    T read(uint64_t gpa) const {
        static_assert(std::is_trivially_copyable_v<T>);
        T v;
        std::memcpy(&v, span(gpa, sizeof(T)).data(), sizeof(T));
        return v;
    }
    template <class T>
    void write(uint64_t gpa, const T& v) {
        static_assert(std::is_trivially_copyable_v<T>);
        std::memcpy(span(gpa, sizeof(T)).data(), &v, sizeof(T));
    }
    void write_bytes(uint64_t gpa, std::span<const uint8_t> bytes) {
        if (!bytes.empty()) std::memcpy(span(gpa, bytes.size()).data(), bytes.data(), bytes.size());
    }

private:
    uint8_t* base_ = nullptr;
    uint64_t size_ = 0;
};

}  // namespace lstar
