#include "memory/guest_memory.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include <fmt/format.h>

namespace lstar {

GuestMemory::GuestMemory(uint64_t size) : size_(size) {
    // MAP_NORESERVE: a large guest costs only the pages it touches; anonymous memory reads as zero.
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        throw std::system_error(errno, std::generic_category(),
                                fmt::format("mmap of {:#x} bytes of guest RAM", size));
    base_ = static_cast<uint8_t*>(p);
}

GuestMemory::~GuestMemory() {
    if (base_) munmap(base_, size_);
}

GuestMemory::GuestMemory(GuestMemory&& o) noexcept
    : base_(std::exchange(o.base_, nullptr)), size_(std::exchange(o.size_, 0)) {}

GuestMemory& GuestMemory::operator=(GuestMemory&& o) noexcept {
    if (this != &o) {
        if (base_) munmap(base_, size_);
        base_ = std::exchange(o.base_, nullptr);
        size_ = std::exchange(o.size_, 0);
    }
    return *this;
}

std::span<const uint8_t> GuestMemory::span(uint64_t gpa, uint64_t len) const {
    if (!contains(gpa, len))
        throw GuestMemoryError(fmt::format("guest-physical range [{:#x}, +{:#x}) is outside guest RAM ({:#x} bytes)",
                                           gpa, len, size_));
    return {base_ + gpa, len};
}

std::span<uint8_t> GuestMemory::span(uint64_t gpa, uint64_t len) {
    auto s = std::as_const(*this).span(gpa, len);
    return {const_cast<uint8_t*>(s.data()), s.size()};
}

}  // namespace lstar
